/**
 * CPU time of the PostgreSQL server's backends serving a database (read from /proc: the benchmark runs on
 * the server's machine), to count the database's share of an operation beside node's own.
 */
import { readFileSync } from 'node:fs';
import type { ExecuteSql } from '../src/store/db.js';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds used so far by each backend connected to the current database (null when /proc cannot tell). */
export async function serverCpu(sql: ExecuteSql): Promise<Map<number, number> | null> {
  const { rows } = await sql(`select pid from pg_stat_activity where datname = current_database()`);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]!
        .split(' ');
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * TICK_MS); // utime, stime
    } catch {
      return null;
    }
  }
  return out;
}

/** The server CPU milliseconds spent between two readings: by the backends seen at the end (new ones counted whole). */
export function serverCpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** node's own CPU milliseconds (user + system) so far. */
export const nodeCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
