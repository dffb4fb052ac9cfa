import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file in an embedded data folder that names the process holding it. */
export const LOCK_FILE = 'deskmind.lock';

/** Who holds a data folder: the process id, its start time (so that a reused pid is not mistaken for it) and its
 * command. */
interface Holder {
  pid: number;
  started: string | null;
  command: string;
}

/** The start time of a live process (Linux: /proc/<pid>/stat field 22), or null when unknown. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(holder.pid);
  return !holder.started || !started || started === holder.started;
}

function readHolder(file: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number'
      ? { pid: parsed.pid, started: parsed.started ?? null, command: String(parsed.command ?? '') }
      : null;
  } catch {
    return null;
  }
}

/** Thrown when another live process holds the data folder. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: Holder,
  ) {
    super(
      `${dataDir} is in use by process ${holder.pid} (${holder.command || 'deskmind'}); the embedded database ` +
        `serves one process at a time: stop it first`,
    );
    this.name = 'DataDirInUseError';
  }
}

const held = new Map<string, number>();

/**
 * Takes the embedded data folder for this process: the embedded database (PGlite) is one process's, and
 * that process is the only worker of its job queue (so that at start it may take back every job left
 * active by a crash). A lock left by a process that died is taken over. Re-entrant within the process;
 * returns the release function. Throws `DataDirInUseError` when another live process holds it.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  const key = path.resolve(file);
  const count = held.get(key) ?? 0;
  if (count === 0) {
    // Written whole beside it, then linked into place: a reader never sees a half-written lock.
    const draft = `${file}.${process.pid}`;
    const me: Holder = {
      pid: process.pid,
      started: startTimeOf(process.pid),
      command: process.argv.slice(2).join(' '),
    };
    writeFileSync(draft, JSON.stringify(me));
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, file);
        rmSync(draft, { force: true });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) {
          rmSync(draft, { force: true });
          throw err;
        }
        const holder = readHolder(file);
        if (holder && holder.pid !== process.pid && alive(holder)) {
          rmSync(draft, { force: true });
          throw new DataDirInUseError(dataDir, holder);
        }
        // Left by a process that died (or this one): take it over.
        try {
          unlinkSync(file);
        } catch {
          /* another process took it over first; the next attempt sees its lock */
        }
      }
    }
  }
  held.set(key, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(key) ?? 1) - 1;
    if (left > 0) return void held.set(key, left);
    held.delete(key);
    if (readHolder(file)?.pid === process.pid) {
      try {
        unlinkSync(file);
      } catch {
        /* already gone (the folder was moved or removed) */
      }
    }
  };
}
