/**
 * The insight rollups (migration 0021) against a from-scratch computation: random ticket histories (with topics,
 * sentiments, accounts and tiers) are written, then changed in every way a fact can change (status, intent,
 * reopen, breach, customer's account, account's tier, topic moves, a topic deleted, a new first understanding,
 * deleted tickets); after each phase the rollup table equals the sums recomputed from the tickets, and trends,
 * health and topics answer exactly what today's computation over every ticket of the window answers.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountHealth, accountHealth, refreshAccountHealth, scoreHealth } from '../src/insights/health.js';
import { listTopics } from '../src/insights/topics.js';
import { TREND_DIMENSIONS, TrendsQuerySchema, volumeTrends } from '../src/insights/trends.js';
import type { Ctx } from '../src/store/ctx.js';
import { accounts, customers, decisions, insightTopics, tickets, ticketTopics } from '../src/store/schema.js';
import { healthFromScratch, topicsFromScratch, trendsFromScratch } from '../bench/insights-scratch.js';
import { backends, openTestDesk, testClock, type TestDesk } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Mulberry32: a small seeded generator, so a failing history can be replayed. */
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

// ---- The histories ----

const INTENTS = ['billing', 'bug', 'login', 'refund', 'export', ''];
const STATUSES = ['new', 'open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
const CHANNELS = ['email', 'widget', 'api'] as const;
const TIERS = ['free', 'pro', 'enterprise'];
// Page errors: none, one, two that normalise alike (one key), two keys.
const ERRORS = [
  () => [],
  (n: number) => [`Run ${n} failed at app.js:${n % 97}:3`],
  (n: number) => [`Run ${n} failed at app.js:1:3`, `Run ${n + 1} failed at app.js:2:3`],
  (n: number) => [`HTTP 502 POST /api/${n % 3}`, 'TypeError: x is undefined'],
];

describe.each(backends())('insight rollups on %s', (kind) => {
  // Not on an hour: every window has partial hours at both ends.
  const clock = testClock(new Date('2026-06-01T09:17:23.456Z'));
  let t: TestDesk;
  let ctx: Ctx;
  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    const { workspace } = await t.desk.createWorkspace('Rollups');
    ctx = t.desk.ctx(workspace.id, { type: 'system', id: null });
    // A second workspace's tickets must never count.
    const other = await t.desk.createWorkspace('Other');
    await t.desk
      .ctx(other.workspace.id, { type: 'system', id: null })
      .db.insert(tickets)
      .values({ workspaceId: other.workspace.id, subject: 'elsewhere', intent: 'billing', createdAt: clock.now() });
  });
  afterAll(async () => t?.close());

  const now = () => clock.now().getTime();
  const r = rng(kind === 'pglite' ? 20 : 21);
  // Sentiments are multiples of 1/64: their sums are exact in any order, in JavaScript and in SQL.
  const sentiment = () => ({ compound: (r.int(129) - 64) / 64, churnRisk: r.next() < 0.2 });

  async function writeHistory(n: number) {
    const ws = ctx.workspaceId;
    const accountRows = await ctx.db
      .insert(accounts)
      .values(
        TIERS.flatMap((tier) =>
          [0, 1].map((i) => ({ workspaceId: ws, name: `${tier} ${i}`, tier, billingState: i ? 'past_due' : 'none' })),
        ),
      )
      .returning();
    const customerRows = await ctx.db
      .insert(customers)
      .values(
        Array.from({ length: 14 }, (_, i) => ({
          workspaceId: ws,
          email: `c${i}@example.com`,
          accountId: i < 12 ? accountRows[i % accountRows.length]!.id : null,
        })),
      )
      .returning();
    const topicRows = await ctx.db
      .insert(insightTopics)
      .values(
        [0, 1, 2, 3].map((i) => ({
          workspaceId: ws,
          label: `topic ${i}`,
          centroid: [1, i],
          embedder: 'test',
          firstSeenAt: new Date(now() - (i * 5 + 1) * DAY),
          lastSeenAt: new Date(now() - i * HOUR),
        })),
      )
      .returning();
    // Times spread over 70 days and a little ahead, plus the exact edges of every window.
    const edges = [0, 3, 7, 14, 30, 60].flatMap((d) => [now() - d * DAY, now() - d * DAY - 1, now() - d * DAY + 1]);
    const times = [...edges, ...Array.from({ length: n }, () => now() - 70 * DAY + r.int(72 * DAY))];
    const rows = times.map((at, i) => ({
      workspaceId: ws,
      subject: `ticket ${i}`,
      createdAt: new Date(at),
      status: r.pick(STATUSES),
      channel: r.pick(CHANNELS),
      intent: r.next() < 0.15 ? null : r.pick(INTENTS),
      customerId: r.next() < 0.1 ? null : r.pick(customerRows).id,
      reopenCount: r.int(3),
      pageContext:
        r.next() < 0.3
          ? null
          : r.next() < 0.5
            ? { featureId: r.pick(['runs', 'billing']), recentErrors: r.pick(ERRORS)(r.int(100_000)) }
            : { route: r.pick(['/runs', '/settings']) },
      resolvedAt: r.next() < 0.5 ? new Date(at + r.int(DAY)) : null,
      firstResponseBreachedAt: r.next() < 0.15 ? new Date(at + HOUR) : null,
      resolutionBreachedAt: r.next() < 0.1 ? new Date(at + DAY) : null,
    }));
    const ticketRows = await ctx.db
      .insert(tickets)
      .values(rows)
      .returning({ id: tickets.id, createdAt: tickets.createdAt });
    for (const tk of ticketRows) {
      if (r.next() < 0.7)
        await ctx.db.insert(ticketTopics).values({
          ticketId: tk.id,
          workspaceId: ws,
          topicId: r.pick(topicRows).id,
          similarity: 0.9,
          assignedAt: clock.now(),
        });
      if (r.next() < 0.6) {
        for (let k = r.int(2) + 1; k > 0; k--) {
          await ctx.db.insert(decisions).values({
            workspaceId: ws,
            ticketId: tk.id,
            runId: `run-${k}`,
            stage: 'understand',
            ok: r.next() < 0.9,
            result: { sentiment: sentiment() },
            createdAt: new Date(tk.createdAt.getTime() + r.int(HOUR)),
          });
        }
      }
    }
    return { accountRows, customerRows, topicRows, ticketIds: ticketRows.map((x) => x.id) };
  }

  async function expectSameAnswers() {
    // The table equals a backfill of the same data, hour by hour and day by day.
    const norm = (res: unknown) =>
      (res as { rows: Record<string, unknown>[] }).rows.map((x) =>
        Object.fromEntries(
          Object.entries(x).map(([k, v]) => [
            k,
            typeof v === 'string' && k !== 'dimension' && k !== 'key' ? Number(v) : v,
          ]),
        ),
      );
    for (const [grain, bucket] of [
      ['h', 'hour'],
      ['d', 'day'],
    ] as const) {
      const stored = await ctx.db.execute(
        sql.raw(
          `select dimension, key, extract(epoch from hour)::float8 as at, tickets, open, resolved, ` +
            `reopened, sla_breached, escalated, sentiment_sum::float8 s, sentiment_n, ` +
            `churn,
                 first_response_n, resolution_ms, resolution_n
                 from insight_rollups where workspace_id = '${ctx.workspaceId}' ` +
            `and grain = '${grain}' and tickets <> 0 order by 1, 2, 3`,
        ),
      );
      const fresh = await ctx.db.execute(
        sql.raw(
          `select dimension, key, extract(epoch from ${bucket})::float8 as at, count(*)::int tickets, ` +
            `sum(open)::int open, sum(resolved)::int resolved, sum(reopened)::int ` +
            `reopened,
                 sum(sla_breached)::int sla_breached, sum(escalated)::int escalated, ` +
            `coalesce(sum(sentiment), 0)::float8 s, count(sentiment)::int sentiment_n, sum(churn)::int churn,
                 count(first_response_ms)::int first_response_n, coalesce(sum(resolution_ms), 0) resolution_ms, ` +
            `count(resolution_ms)::int resolution_n
                 from insight_ticket_facts where workspace_id = '${ctx.workspaceId}' group by 1, 2, 3 order by 1, 2, 3`,
        ),
      );
      expect(norm(stored)).toEqual(norm(fresh));
    }

    for (const by of TREND_DIMENSIONS) {
      for (const q of [
        { by },
        { by, interval: 'hour' },
        { by, days: 60 },
        { by, interval: 'hour', days: 2, limit: 3 },
      ]) {
        const query = TrendsQuerySchema.parse(q);
        const got = await volumeTrends(ctx, query);
        expect(
          got.series.map(({ label: _l, ...s }) => s),
          JSON.stringify(q),
        ).toEqual(await trendsFromScratch(ctx, query));
      }
    }
    const health = await accountHealth(ctx, { limit: 500 });
    const expected = await healthFromScratch(ctx);
    expect(
      health
        .map((h) => ({ accountId: h.accountId, signals: h.signals, score: h.score }))
        .sort((a, b) => a.accountId.localeCompare(b.accountId)),
    ).toEqual(expected.map(({ account: _a, ...x }) => x).sort((a, b) => a.accountId.localeCompare(b.accountId)));
    const topics = await listTopics(ctx, { minSize: 1, limit: 200 });
    const ref = await topicsFromScratch(ctx);
    expect({
      tickets: topics.tickets,
      clustered: topics.clustered,
      topics: topics.data
        .map((x) => ({
          id: x.id,
          tickets: x.tickets,
          thisWeek: x.thisWeek,
          lastWeek: x.lastWeek,
          topIntents: x.topIntents,
          examples: x.examples.map((e) => e.id),
        }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    }).toEqual(ref);
    return { health, topics };
  }

  it('answers as a computation over every ticket, after writes and after every kind of change', async () => {
    const h = await writeHistory(260);
    const first = await expectSameAnswers();
    expect(first.topics.tickets).toBeGreaterThan(50);
    expect(first.health.some((a) => a.signals.sentiment30d !== null && a.signals.unresolved > 0)).toBe(true);

    // Every kind of change, each in its own transaction, as the services write them.
    for (const id of h.ticketIds.filter(() => r.next() < 0.3)) {
      await ctx.db
        .update(tickets)
        .set({
          status: r.pick(STATUSES),
          intent: r.pick(INTENTS),
          reopenCount: r.int(4),
          slaEscalatedAt: r.next() < 0.5 ? clock.now() : null,
          pageContext: { route: '/moved', recentErrors: r.pick(ERRORS)(r.int(100_000)) },
        })
        .where(eq(tickets.id, id));
    }
    await ctx.db
      .update(customers)
      .set({ accountId: h.accountRows[5]!.id })
      .where(eq(customers.id, h.customerRows[0]!.id));
    await ctx.db.update(customers).set({ accountId: null }).where(eq(customers.id, h.customerRows[1]!.id));
    await ctx.db.update(accounts).set({ tier: 'enterprise' }).where(eq(accounts.id, h.accountRows[0]!.id));
    await ctx.db.update(tickets).set({ customerId: h.customerRows[2]!.id }).where(eq(tickets.id, h.ticketIds[3]!));
    for (const id of h.ticketIds.filter(() => r.next() < 0.2)) {
      await ctx.db
        .insert(ticketTopics)
        .values({
          ticketId: id,
          workspaceId: ctx.workspaceId,
          topicId: r.pick(h.topicRows).id,
          similarity: 0.8,
          assignedAt: clock.now(),
        })
        .onConflictDoUpdate({ target: ticketTopics.ticketId, set: { topicId: r.pick(h.topicRows).id } });
    }
    await ctx.db.delete(insightTopics).where(eq(insightTopics.id, h.topicRows[3]!.id));
    // A first understanding older than the ones recorded replaces their sentiment.
    for (const id of h.ticketIds.slice(0, 40)) {
      await ctx.db.insert(decisions).values({
        workspaceId: ctx.workspaceId,
        ticketId: id,
        runId: 'early',
        stage: 'understand',
        ok: true,
        result: { sentiment: sentiment() },
        createdAt: new Date(0),
      });
    }
    // A record written twice (a run retried) changes nothing.
    await ctx.db
      .insert(decisions)
      .values({
        workspaceId: ctx.workspaceId,
        ticketId: h.ticketIds[0]!,
        runId: 'early',
        stage: 'understand',
        ok: true,
        result: { sentiment: sentiment() },
        createdAt: new Date(0),
      })
      .onConflictDoNothing();
    await ctx.db.delete(tickets).where(inArray(tickets.id, h.ticketIds.slice(50, 60)));
    await ctx.db.delete(customers).where(eq(customers.id, h.customerRows[4]!.id));
    await ctx.db.delete(accounts).where(eq(accounts.id, h.accountRows[4]!.id));
    // One transaction with several changes of one ticket.
    await ctx.db.transaction(async (tx) => {
      await tx.update(tickets).set({ status: 'open' }).where(eq(tickets.id, h.ticketIds[70]!));
      await tx.update(tickets).set({ status: 'resolved', intent: 'refund' }).where(eq(tickets.id, h.ticketIds[70]!));
    });
    await expectSameAnswers();

    // Time moves on: windows slide over the same rollups.
    clock.advance(2 * DAY + 37 * 60_000 + 5);
    await expectSameAnswers();

    // Account health's stored rows (migration 0028) as time moves in steps shorter than a day, each step taking a
    // ticket over each window's edge with no write in between (no mark: only the edge tells), and back.
    const STEP = 7 * HOUR + 11;
    const t0 = now();
    const edgeTickets = [1, 2, 3, 4].flatMap((k) =>
      [30 * DAY, 60 * DAY, 3 * DAY].map((back) => ({
        workspaceId: ctx.workspaceId,
        subject: `edge ${k} ${back}`,
        createdAt: new Date(t0 + k * STEP - back - 1),
        status: 'open' as const,
        customerId: h.customerRows[(5 + k) % 12]!.id,
      })),
    );
    await ctx.db.insert(tickets).values(edgeTickets);
    await expectSameHealth();
    let moved = 0;
    for (const step of [STEP, STEP, STEP, -2 * STEP, STEP, STEP, STEP]) {
      const before = JSON.stringify(await healthFromScratch(ctx));
      clock.advance(step);
      if (JSON.stringify(await healthFromScratch(ctx)) !== before) moved++;
      expect((await refreshAccountHealth(ctx)).full).toBe(false);
      await expectSameHealth();
    }
    expect(moved).toBeGreaterThanOrEqual(5);
    // The accounts themselves: billing, MRR, usage figures, a new one, one without tickets.
    await ctx.db
      .update(accounts)
      .set({ billingState: 'cancelled', mrr: 900 })
      .where(eq(accounts.id, h.accountRows[0]!.id));
    await ctx.db
      .update(accounts)
      .set({ attributes: { usage: { current: 30, previous: 100 } } })
      .where(eq(accounts.id, h.accountRows[1]!.id));
    await ctx.db
      .insert(accounts)
      .values({ workspaceId: ctx.workspaceId, name: 'new', mrr: 50, billingState: 'past_due' });
    expect((await refreshAccountHealth(ctx)).full).toBe(false);
    await expectSameHealth();
    // A read after more than a day recomputes every account.
    clock.advance(DAY + 1);
    expect((await refreshAccountHealth(ctx)).full).toBe(true);
    await expectSameHealth();
  });

  /** Account health, in full and its riskiest first by `risk` and `limit`, equals the computation over every ticket of
   * the window, in the same order. */
  async function expectSameHealth() {
    const expected = (await healthFromScratch(ctx)).map((x) => {
      const a = x.account;
      const scored = scoreHealth(x.signals, a.billingState);
      return {
        accountId: a.id,
        risk: scored.risk,
        score: scored.score,
        signals: x.signals,
        revenueAtRisk: Math.round(a.mrr * (1 - scored.score / 100) * 100) / 100,
        mrr: a.mrr,
      };
    });
    const rank = { high: 0, medium: 1, low: 2 };
    expected.sort(
      (x, y) =>
        rank[x.risk] - rank[y.risk] ||
        y.revenueAtRisk - x.revenueAtRisk ||
        y.mrr - x.mrr ||
        x.score - y.score ||
        (x.accountId < y.accountId ? -1 : 1),
    );
    const pick = (hs: AccountHealth[]) =>
      hs.map((x) => ({
        accountId: x.accountId,
        risk: x.risk,
        score: x.score,
        signals: x.signals,
        revenueAtRisk: x.revenueAtRisk,
        mrr: x.mrr,
      }));
    expect(pick(await accountHealth(ctx, { limit: 500 }))).toEqual(expected);
    expect(pick(await accountHealth(ctx, { limit: 2 }))).toEqual(expected.slice(0, 2));
    for (const risk of ['high', 'medium', 'low'] as const)
      expect(pick(await accountHealth(ctx, { risk, limit: 3 }))).toEqual(
        expected.filter((x) => x.risk === risk).slice(0, 3),
      );
  }

  it('leaves no rollup behind when a workspace is deleted', async () => {
    const { workspace } = await t.desk.createWorkspace('Short-lived');
    const c2 = t.desk.ctx(workspace.id, { type: 'system', id: null });
    await c2.db
      .insert(tickets)
      .values({ workspaceId: workspace.id, subject: 'x', intent: 'bug', createdAt: clock.now() });
    const count = async () =>
      Number(
        (
          (await c2.db.execute(
            sql.raw(`select count(*)::int n from insight_rollups where workspace_id = '${workspace.id}'`),
          )) as unknown as { rows: { n: number }[] }
        ).rows[0]!.n,
      );
    expect(await count()).toBeGreaterThan(0);
    await c2.db.execute(sql.raw(`delete from workspaces where id = '${workspace.id}'`));
    expect(await count()).toBe(0);
  });
});
