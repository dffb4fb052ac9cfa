import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from '../config.js';

/** The built CLI (`bin/deskmind.js`) the load benchmark and the crash tests start as child processes. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/deskmind.js', import.meta.url));

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A `deskmind` child process with its captured stderr (the last lines, for error reports). */
export interface DeskmindProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string>;
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/** Starts `node bin/deskmind.js ...args` with `env` added to the current environment. */
export function startDeskmind(args: string[], env: Record<string, string>): DeskmindProcess {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (b: Buffer) => {
    lines.push(...b.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const done = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    pid: child.pid!,
    exited,
    tail: () => lines.join('\n'),
    async stop(graceMs = 10_000) {
      if (done()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (done()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs a `deskmind` command to its end and returns its stdout (throws with stderr on failure). */
export function runDeskmind(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      env: childEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.once('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`deskmind ${args.join(' ')} exited with ${code}: ${err.slice(-2000)}`)),
    );
  });
}

/** Waits until `GET url/readyz` answers 200 (or the process dies, or `timeoutMs` passes). */
export async function waitReady(url: string, proc?: DeskmindProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let dead = false;
  void proc?.exited.then(() => (dead = true));
  while (Date.now() < until) {
    if (dead) throw new Error(`the process exited before it was ready:\n${proc?.tail()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} was not ready after ${timeoutMs} ms:\n${proc?.tail() ?? ''}`);
}

/** Peak resident memory of a process in bytes (Linux `VmHWM`), or null where unknown. */
/** CPU time (user and system) a process has used so far, in milliseconds (Linux; null elsewhere). */
export function cpuTimeMs(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times. */
const CLOCK_TICKS = 100;

export function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
