import type { Database } from './db.js';

/**
 * Vacuum and analyze for the embedded database. PostgreSQL's autovacuum runs as background processes,
 * which PGlite (one process, one session) does not have: without this, every updated or deleted row stays
 * as a dead tuple for good. The job queue suffers most — each job is written three times (created,
 * active, completed), and fetching the next jobs walks the dead entries of every job ever processed, so a
 * fetch took about 17 ms after 1,000 jobs and 83 ms after 6,000 in a one-off measurement (1–2 ms with
 * this) — and tickets, which the pipeline updates, bloat too.
 *
 * `vacuumDue` applies autovacuum's own rule to the cumulative statistics of each table (tables whose dead
 * tuples exceed a threshold plus a fraction of their live ones are vacuumed, those changed enough since
 * their last analyze are analyzed), with a smaller fraction than PostgreSQL's default 20 %, because the
 * queue's tables keep their completed jobs for hours. A vacuum after the first only visits the pages
 * changed since, so running this every few seconds is cheap.
 */
export const VACUUM_RULE = {
  threshold: 50,
  deadFraction: 0.05,
  analyzeThreshold: 50,
  analyzeFraction: 0.1,
  statisticsTarget: 10,
};

interface TableStats {
  schemaname: string;
  relname: string;
  n_live_tup: number | string;
  n_dead_tup: number | string;
  n_mod_since_analyze: number | string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Vacuums and analyzes the tables that need it now; returns their names (`schema.table`). Each table's
 * vacuum holds the embedded database (one session) for tens of milliseconds, so `pauseMs` spaces them out:
 * statements waiting for the session then wait for one table, not for all of them.
 */
export async function vacuumDue(
  database: Pick<Database, 'executeSql'>,
  rule = VACUUM_RULE,
  opts: { pauseMs?: number; stopped?: () => boolean } = {},
): Promise<{ vacuumed: string[]; analyzed: string[] }> {
  const { rows } = await database.executeSql(
    `select schemaname, relname, n_live_tup, n_dead_tup, n_mod_since_analyze from pg_stat_user_tables order by ` +
      `n_dead_tup desc`,
  );
  const vacuumed: string[] = [];
  const analyzed: string[] = [];
  for (const row of rows as unknown as TableStats[]) {
    const live = Number(row.n_live_tup);
    const vacuum = Number(row.n_dead_tup) > rule.threshold + rule.deadFraction * live;
    const analyze = Number(row.n_mod_since_analyze) > rule.analyzeThreshold + rule.analyzeFraction * live;
    if (!vacuum && !analyze) continue;
    if (opts.pauseMs && (vacuumed.length || analyzed.length))
      await new Promise((resolve) => setTimeout(resolve, opts.pauseMs).unref());
    if (opts.stopped?.()) break;
    const name = `${row.schemaname}.${row.relname}`;
    const target = `${quote(row.schemaname)}.${quote(row.relname)}`;
    // Not in a transaction: VACUUM refuses to run inside one.
    if (vacuum) await database.executeSql(`vacuum ${target}`);
    if (analyze) {
      // ANALYZE samples 300 rows per unit of statistics target: at PostgreSQL's default (100) it read the
      // events table for over 100 ms under load, holding the only session. Rough statistics are enough for
      // these plans; the setting only affects ANALYZE, and only this one (it is reset at once).
      await database.executeSql(`set default_statistics_target = ${Number(rule.statisticsTarget)}`);
      try {
        await database.executeSql(`analyze ${target}`);
      } finally {
        await database.executeSql('reset default_statistics_target');
      }
    }
    if (vacuum) vacuumed.push(name);
    if (analyze) analyzed.push(name);
  }
  return { vacuumed, analyzed };
}
