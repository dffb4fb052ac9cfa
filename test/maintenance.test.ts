import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vacuumDue } from '../src/store/maintenance.js';
import { openTestDatabase } from './helpers.js';
import { waitFor } from './helpers-wait.js';

/** PGlite has no autovacuum: the embedded process vacuums and analyzes by autovacuum's rule itself. */
describe('embedded vacuum', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.close();
    await database?.cleanup();
  });

  const stats = async (table: string) => {
    const { rows } = await database.executeSql(
      `select n_dead_tup, n_mod_since_analyze, last_vacuum from pg_stat_user_tables where relname = '${table}'`,
    );
    return {
      dead: Number(rows[0]!.n_dead_tup),
      modified: Number(rows[0]!.n_mod_since_analyze),
      lastVacuum: rows[0]!.last_vacuum,
    };
  };

  it('vacuums and analyzes the tables past the rule, and leaves the others', async () => {
    await database.executeSql(
      `create table maint_churn (id int primary key, v int); create table maint_calm (id int primary key, v int)`,
    );
    await database.executeSql(
      `insert into maint_churn select g, 0 from generate_series(1, 1000) g; insert into maint_calm select g, 0 ` +
        `from generate_series(1, 1000) g`,
    );
    // Statistics reach the views a moment after the transactions that changed them: let the inserts arrive first.
    // (No deadline: the test's own timeout ends a hang, so a loaded machine only makes the waits longer.)
    await waitFor(
      async () =>
        (
          await database.executeSql(
            `select count(*)::int n from pg_stat_user_tables where relname like 'maint_%' and ` +
              `n_mod_since_analyze >= 1000`,
          )
        ).rows[0]!.n === 2,
      500,
    );
    await database.executeSql('vacuum analyze maint_churn');
    await database.executeSql('vacuum analyze maint_calm');
    // 300 dead tuples of 1,000 rows is past 50 + 5 %; 20 is not.
    await database.executeSql(`update maint_churn set v = 1 where id <= 300`);
    await database.executeSql(`update maint_calm set v = 1 where id <= 20`);
    await waitFor(async () => (await database.executeSql('select 1'), (await stats('maint_churn')).dead) >= 300, 500);
    await waitFor(async () => (await stats('maint_calm')).dead >= 20, 500);
    expect((await stats('maint_churn')).dead).toBe(300);
    expect((await stats('maint_calm')).dead).toBe(20);

    const done = await vacuumDue(database);
    expect(done.vacuumed).toContain('public.maint_churn');
    expect(done.analyzed).toContain('public.maint_churn');
    expect(done.vacuumed).not.toContain('public.maint_calm');
    expect(done.analyzed).not.toContain('public.maint_calm');
    await waitFor(async () => (await database.executeSql('select 1'), (await stats('maint_churn')).dead) === 0, 500);
    expect((await stats('maint_churn')).lastVacuum).not.toBeNull();
    expect((await stats('maint_calm')).dead).toBe(20);
  });
  it('spaces the tables out, and stops between two when asked', async () => {
    await database.executeSql(
      `create table maint_one (id int primary key, v int); create table maint_two (id int primary key, v int)`,
    );
    await database.executeSql(
      `insert into maint_one select g, 0 from generate_series(1, 500) g; insert into maint_two select g, 0 from ` +
        `generate_series(1, 500) g`,
    );
    await waitFor(
      async () =>
        (
          await database.executeSql(
            `select count(*)::int n from pg_stat_user_tables where relname in ('maint_one', 'maint_two') and ` +
              `n_mod_since_analyze >= 500`,
          )
        ).rows[0]!.n === 2,
      500,
    );
    let asked = 0;
    // Asked before each table: go on for the first, stop before the second.
    const done = await vacuumDue(database, undefined, { pauseMs: 20, stopped: () => ++asked > 1 });
    // The first table due was done; asked to stop after the pause, the others were left for the next round.
    expect(new Set([...done.vacuumed, ...done.analyzed]).size).toBe(1);
    expect(asked).toBe(2);
    const rest = await vacuumDue(database, undefined, { pauseMs: 20 });
    const both = new Set([...done.analyzed, ...rest.analyzed]);
    expect(both.has('public.maint_one') && both.has('public.maint_two')).toBe(true);
  });
});
