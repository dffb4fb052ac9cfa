import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from '../store/data-lock.js';

/**
 * Writes a gzip'd tarball of the embedded database folder (PGlite `dumpDataDir`). A folder another process
 * holds (a running `deskmind serve` / `worker`) is refused: its files change under the copy, and PGlite is
 * single-process, so a second copy of the database cannot be opened beside it for a consistent snapshot.
 */
export async function backupDataDir(dataDir: string, outFile: string): Promise<{ bytes: number }> {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) throw new Error(`${dataDir} holds no Deskmind database`);
  const release = lockForOps(dataDir, 'backup');
  try {
    const lite = new PGlite(dataDir);
    try {
      await lite.waitReady;
      await lite.exec('checkpoint');
      const blob = await lite.dumpDataDir('gzip');
      const bytes = Buffer.from(await blob.arrayBuffer());
      mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
      writeFileSync(outFile, bytes);
      return { bytes: bytes.length };
    } finally {
      await lite.close();
    }
  } finally {
    release();
  }
}

/**
 * Restores a backup into `dataDir`. The archive is verified first (it unpacks, and opens as a Deskmind
 * database in a staging folder beside `dataDir`); only then is it swapped in, by renames. An existing
 * non-empty folder is refused unless `force`, in which case it is moved aside to
 * `<dataDir>.before-restore-<timestamp>` (never deleted) and put back if the swap fails. A folder a running
 * process holds is refused. On any failure `dataDir` is left as it was.
 */
export async function restoreDataDir(
  dataDir: string,
  fromFile: string,
  opts: { force?: boolean; now?: Date } = {},
): Promise<{ movedAside: string | null }> {
  const dir = path.resolve(dataDir);
  const occupied = existsSync(dir) && readdirSync(dir).length > 0;
  if (occupied && !opts.force) throw new Error(`${dataDir} is not empty; pass --force to move it aside and restore`);
  const tar = readArchive(fromFile);
  const stamp = (opts.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const release = existsSync(dir) ? lockForOps(dir, 'restore') : () => undefined;
  const staging = `${dir}.restoring-${stamp}`;
  try {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      await openRestored(staging, tar);
      // A lock the backed-up process held is not this folder's.
      rmSync(path.join(staging, LOCK_FILE), { force: true });
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(
        `${fromFile} is not a usable Deskmind backup (${err instanceof Error ? err.message : String(err)}); ` +
          `${dataDir} was not changed`,
        { cause: err },
      );
    }
    let movedAside: string | null = null;
    if (occupied) {
      movedAside = `${dir}.before-restore-${stamp}`;
      renameSync(dir, movedAside);
    } else if (existsSync(dir)) rmSync(dir, { recursive: true });
    try {
      renameSync(staging, dir);
    } catch (err) {
      if (movedAside && !existsSync(dir)) renameSync(movedAside, dir);
      throw err;
    }
    if (movedAside) rmSync(path.join(movedAside, LOCK_FILE), { force: true });
    return { movedAside };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}

/** Takes the folder for a backup or restore, saying why when a running process holds it. */
function lockForOps(dataDir: string, what: 'backup' | 'restore'): () => void {
  try {
    return lockDataDir(dataDir);
  } catch (err) {
    if (!(err instanceof DataDirInUseError)) throw err;
    throw new Error(
      `${dataDir} is in use by process ${err.holder.pid} (${err.holder.command || 'deskmind'}): ` +
        (what === 'backup'
          ? 'a copy taken while it writes would not be consistent'
          : 'it would keep writing to the old files') +
        `; stop it first`,
      { cause: err },
    );
  }
}

/**
 * The tar inside a gzip'd backup, checked block by block (header checksums, sizes, the end marker) and
 * required to hold a PostgreSQL data folder. PGlite is given only an archive that passed (a corrupt one can
 * make its decompression throw outside any promise, ending the process).
 */
export function readArchive(file: string): Buffer {
  let tar: Buffer;
  try {
    tar = gunzipSync(readFileSync(file));
  } catch (err) {
    throw new Error(`${file} is not a gzip'd backup (${(err as Error).message})`, { cause: err });
  }
  const names = new Set<string>();
  let offset = 0;
  let ended = false;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) {
      ended = true;
      break;
    }
    const stored = parseInt(header.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    if (!Number.isFinite(stored) || stored !== sum || !Number.isFinite(size) || size < 0)
      throw new Error(`${file} is corrupt (a damaged entry at byte ${offset} of the archive)`);
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    names.add((prefix ? `${prefix}/${name}` : name).replace(/^\.?\//, ''));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  if (!ended || offset > tar.length) throw new Error(`${file} is truncated`);
  if (![...names].some((n) => n === 'PG_VERSION' || n.endsWith('/PG_VERSION')))
    throw new Error(`${file} holds no PostgreSQL data folder`);
  return tar;
}

/** Unpacks `tar` into `dir` through PGlite and checks it is a Deskmind database. */
async function openRestored(dir: string, tar: Buffer): Promise<void> {
  const lite = new PGlite(dir, { loadDataDir: new Blob([tar], { type: 'application/x-tar' }) });
  try {
    await lite.waitReady;
    await lite.query('select count(*) from workspaces');
  } finally {
    await lite.close().catch(() => undefined);
  }
}
