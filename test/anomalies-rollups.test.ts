/**
 * Anomaly detection reads the weeks of history from the insight rollups (the `error` dimension of migration 0025
 * among them) and the last hours from the tickets: on a random history it tests the same series with the same
 * results as the former computation over every ticket (bench/insights-scratch.ts), and a change of the hourly
 * rollups alone changes its baseline. The SQL normalisation of error messages agrees with normaliseError.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anomalyTestsFromScratch } from '../bench/insights-scratch.js';
import { type AnomalySettings, type SeriesTest, testSeries } from '../src/insights/anomalies.js';
import { historySpan } from '../src/insights/anomaly.js';
import { normaliseError } from '../src/insights/data.js';
import { getInsightsSettings } from '../src/insights/settings.js';
import type { Ctx } from '../src/store/ctx.js';
import { tickets } from '../src/store/schema.js';
import { backends, openTestDesk, testClock, type TestDesk } from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SPIKE_ERROR = 'Export <n> timed out after <n> ms';

/** Mulberry32, so that a failing history can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

const byId = (xs: SeriesTest[]) =>
  [...xs].sort((a, b) => `${a.dimension} ${a.key}`.localeCompare(`${b.dimension} ${b.key}`));

describe.each(backends())('anomalies from the rollups on %s', (kind) => {
  // Not on an hour: the recent tickets start in a partial hour.
  const clock = testClock(new Date('2026-06-01T09:17:23.456Z'));
  const now = clock.now().getTime();
  let t: TestDesk;
  let ctx: Ctx;
  let settings: AnomalySettings;
  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    const { workspace } = await t.desk.createWorkspace('Anomalies');
    ctx = t.desk.ctx(workspace.id, { type: 'system', id: null });
    settings = (await getInsightsSettings(ctx)).anomalies;
    const r = rng(kind === 'pglite' ? 7 : 8);
    const { historyStart, historyEnd } = historySpan(now, {});
    // Five weeks at about three tickets an hour, busier in office hours, and the edges of the history and windows.
    const times: number[] = [historyStart - 1, historyStart, historyEnd - 1, historyEnd, now - 120 * MIN, now];
    for (let at = now - 35 * DAY; at < now; at += HOUR) {
      const h = new Date(at).getUTCHours();
      for (let k = r.int(h >= 8 && h < 18 ? 7 : 2); k > 0; k--) times.push(at + r.int(HOUR));
    }
    const rows = times
      .filter((at) => at <= now)
      .map((at, i) => ({
        workspaceId: workspace.id,
        subject: `ticket ${i}`,
        createdAt: new Date(at),
        intent: r.next() < 0.1 ? null : r.pick(['billing', 'login', 'export']),
        pageContext:
          r.next() < 0.3
            ? null
            : {
                featureId: r.next() < 0.5 ? r.pick(['runs', 'billing', 'exports']) : undefined,
                route: r.pick(['/runs', '/settings']),
                recentErrors: r.pick([
                  [],
                  [`Run ${r.int(99_999)} failed at app.js:${r.int(900)}:3`],
                  [`HTTP 502 POST /api/hooks`, `Export ${r.int(99_999)} timed out after 30000 ms`],
                ]),
              },
      }));
    // This morning's spike: one export error on many pages in the last 40 minutes.
    for (let i = 0; i < 12; i++)
      rows.push({
        workspaceId: workspace.id,
        subject: `export ${i}`,
        createdAt: new Date(now - 40 * MIN + i * 3 * MIN),
        intent: 'export',
        pageContext: {
          featureId: 'exports',
          route: '/exports',
          recentErrors: [`Export ${1000 + i} timed out after 30000 ms`, `Export ${2000 + i} timed out after 30000 ms`],
        },
      });
    for (let i = 0; i < rows.length; i += 1000) await ctx.db.insert(tickets).values(rows.slice(i, i + 1000));
  });
  afterAll(async () => t?.close());

  it('tests the same series with the same results as a read of every ticket', async () => {
    const [fromRollups, fromTickets] = [
      byId(await testSeries(ctx, settings)),
      byId(await anomalyTestsFromScratch(ctx, settings)),
    ];
    expect(fromRollups.map((s) => `${s.dimension}:${s.key}`)).toEqual(
      fromTickets.map((s) => `${s.dimension}:${s.key}`),
    );
    fromRollups.forEach((s, i) => {
      const want = fromTickets[i]!;
      expect(s.ticketIds).toEqual(want.ticketIds);
      expect(s.test.observed).toBe(want.test.observed);
      expect(s.test.windowStart).toBe(want.test.windowStart);
      expect(s.test.history).toEqual(want.test.history);
      expect(s.test.expected).toBeCloseTo(want.test.expected, 9);
      expect(s.test.pValue).toBeCloseTo(want.test.pValue, 12);
      expect(s.test.spike).toBe(want.test.spike);
    });
    const spikes = fromRollups.filter((s) => s.test.spike).map((s) => `${s.dimension}:${s.key}`);
    expect(spikes).toContain(`error:${SPIKE_ERROR}`);
    expect(spikes).toContain('feature:exports');
    expect(spikes.filter((k) => /runs|billing|settings|login|HTTP|Run /.test(k))).toEqual([]);
  });

  it('reads the weeks of history from the hourly rollups, not from the tickets', async () => {
    const { historyStart, historyEnd } = historySpan(now, {});
    const scale = (op: 'times' | 'over') =>
      ctx.db.execute(sql`update insight_rollups set tickets = tickets ${sql.raw(op === 'times' ? '*' : '/')} 10
        where workspace_id = ${ctx.workspaceId} and grain = 'h' and dimension = 'error' and key = ${SPIKE_ERROR}
        and hour >= ${new Date(historyStart).toISOString()}::timestamptz
        and hour < ${new Date(historyEnd).toISOString()}::timestamptz`);
    const find = (xs: SeriesTest[]) => xs.find((s) => s.dimension === 'error' && s.key === SPIKE_ERROR)!;
    const before = find(await testSeries(ctx, settings));
    expect(before.test.spike).toBe(true);
    await scale('times');
    try {
      const after = find(await testSeries(ctx, settings));
      // Ten times the history: ten times the baseline (the seasonal factors are about the same), so the spike is
      // no longer one; the recent tickets are the same.
      expect(after.test.expected).toBeGreaterThan(before.test.expected * 5);
      expect(after.test.spike).toBe(false);
      expect(after.ticketIds).toEqual(before.ticketIds);
      expect(find(await anomalyTestsFromScratch(ctx, settings)).test.spike).toBe(true);
    } finally {
      await scale('over');
    }
    expect(find(await testSeries(ctx, settings)).test).toEqual(before.test);
  });

  it('normalises error messages in SQL as normaliseError does', async () => {
    const messages = [
      'Run 123456 failed: id 0f8fad5b-d9cb-469f-a165-70867728950e',
      'TypeError at app.js:123:7',
      'Parse error at line 1234, column 56',
      'offset 12 row 3 pos 9 position 4 col 1',
      'HTTP 502 POST /api/hooks',
      'pointer 0xDEADbeef and hash deadbeefdeadbeef12 and v2024 x1234 12345abc 2024-01-01',
      '  spaced\tout \n message  ',
      'x'.repeat(400),
      '',
    ];
    const { rows } = await t.desk.database.executeSql(
      'select m, insight_normalise_error(m) n from unnest($1::text[]) m',
      [messages],
    );
    expect(rows.map((row) => row.n)).toEqual(messages.map(normaliseError));
    const errors = await t.desk.database.executeSql(
      `select insight_ticket_errors($1::jsonb) e, insight_ticket_errors('{}'::jsonb) none`,
      [JSON.stringify({ recentErrors: ['b 12345', 'a', 'b 99999', ''] })],
    );
    expect(errors.rows[0]).toEqual({ e: ['a', 'b <n>'], none: null });
  });
});
