import { format } from 'node:util';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'err']);

/**
 * Turns one pino JSON line into one readable line: `12:04:05 INFO  message  key=value …`, with an error's
 * stack below it. Pino has already redacted secrets when the line reaches this.
 */
export function prettyLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString().slice(11, 19);
  const level = LEVELS[Number(entry.level)] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : format('%j', v)}`);
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const stack = err ? `\n    ${(err.stack ?? err.message ?? '').split('\n').join('\n    ')}` : '';
  return `${time} ${level} ${String(entry.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}\n`;
}

/** A pino destination that writes readable lines to `fd` (1 stdout, 2 stderr). */
export function prettyDestination(fd: 1 | 2): { write(chunk: string): boolean } {
  const out = fd === 1 ? process.stdout : process.stderr;
  return { write: (chunk: string) => out.write(chunk.split('\n').filter(Boolean).map(prettyLogLine).join('')) };
}
