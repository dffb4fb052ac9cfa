/**
 * CPU time of the PostgreSQL server's backends serving a database (read from /proc: the benchmark runs on
 * the server's machine), to count the database's share of an operation beside node's own.
 */
import { readFileSync } from 'node:fs';
import type { ExecuteSql } from '../src/store/db.js';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds used so far by the backends connected to the current database (null when /proc cannot tell). */
export async function serverCpuMs(sql: ExecuteSql): Promise<number | null> {
  const { rows } = await sql(`select pid from pg_stat_activity where datname = current_database()`);
  let total = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
    } catch {
      return null;
    }
  }
  return total;
}

/** node's own CPU milliseconds (user + system) so far. */
export const nodeCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
