/**
 * The insights as they were computed before the rollups (issue 20): every ticket of the window read into
 * JavaScript. The reference the rollup-based answers are tested against (test/insight-rollups.test.ts) and the
 * "before" of the scale benchmark (bench/scale.ts). Topics' top intents break ties by name, as the rollups do.
 */
import { and, eq, gte, inArray } from 'drizzle-orm';
import { DEFAULT_WINDOWS_MINUTES, detectSpike, historySpan } from '../src/insights/anomaly.js';
import type { AnomalyDimension, AnomalySettings, SeriesTest } from '../src/insights/anomalies.js';
import { loadTicketFacts, type TicketFact } from '../src/insights/data.js';
import { scoreHealth, usageChangeOf } from '../src/insights/health.js';
import { keyOf, type TrendsQuery } from '../src/insights/trends.js';
import type { Ctx } from '../src/store/ctx.js';
import { accounts, customers, decisions, tickets } from '../src/store/schema.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OPEN = new Set(['new', 'open', 'pending', 'snoozed']);

export async function trendsFromScratch(ctx: Ctx, query: TrendsQuery) {
  const step = query.interval === 'hour' ? HOUR : DAY;
  const days = query.days ?? (query.interval === 'hour' ? 7 : 30);
  const now = ctx.now().getTime();
  const end = Math.floor(now / step) * step + step;
  const n = Math.ceil((days * DAY) / step);
  const start = end - n * step;
  const facts = await loadTicketFacts(ctx, new Date(Math.min(start, now - 14 * DAY)), ctx.now());
  const series = new Map<string, { counts: number[]; total: number; thisWeek: number; lastWeek: number }>();
  for (const f of facts) {
    const key = keyOf(f, query.by);
    let s = series.get(key);
    if (!s) series.set(key, (s = { counts: new Array<number>(n).fill(0), total: 0, thisWeek: 0, lastWeek: 0 }));
    const t = f.createdAt.getTime();
    if (t >= start) {
      s.counts[Math.floor((t - start) / step)]!++;
      s.total++;
    }
    if (t >= now - 7 * DAY) s.thisWeek++;
    else if (t >= now - 14 * DAY) s.lastWeek++;
  }
  return [...series.entries()]
    .filter(([, s]) => s.total > 0 || s.thisWeek > 0)
    .map(([key, s]) => ({
      key,
      ...s,
      weekOverWeek: s.lastWeek ? Math.round(((s.thisWeek - s.lastWeek) / s.lastWeek) * 1000) / 1000 : null,
    }))
    .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key))
    .slice(0, query.limit);
}

export async function healthFromScratch(ctx: Ctx) {
  const now = ctx.now().getTime();
  const accountRows = await ctx.db.select().from(accounts).where(eq(accounts.workspaceId, ctx.workspaceId));
  const ticketRows = await ctx.db
    .select({
      id: tickets.id,
      accountId: customers.accountId,
      status: tickets.status,
      createdAt: tickets.createdAt,
      reopenCount: tickets.reopenCount,
      fr: tickets.firstResponseBreachedAt,
      res: tickets.resolutionBreachedAt,
    })
    .from(tickets)
    .innerJoin(customers, eq(customers.id, tickets.customerId))
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), gte(tickets.createdAt, new Date(now - 60 * DAY))));
  const sentiments = new Map<string, { compound: number; churn: boolean }>();
  const ids = ticketRows.map((t) => t.id);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await ctx.db
      .select({ ticketId: decisions.ticketId, result: decisions.result, createdAt: decisions.createdAt })
      .from(decisions)
      .where(
        and(
          inArray(decisions.ticketId, ids.slice(i, i + 500)),
          eq(decisions.stage, 'understand'),
          eq(decisions.ok, true),
        ),
      );
    rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    for (const r of rows) {
      const s = r.result.sentiment as { compound?: number; churnRisk?: boolean } | undefined;
      if (s && typeof s.compound === 'number' && !sentiments.has(r.ticketId))
        sentiments.set(r.ticketId, { compound: s.compound, churn: !!s.churnRisk });
    }
  }
  const mean = (xs: number[]) =>
    xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000 : null;
  return accountRows.map((a) => {
    const list = ticketRows.filter((t) => t.accountId === a.id);
    const cur = list.filter((t) => t.createdAt.getTime() >= now - 30 * DAY);
    const prev = list.filter((t) => t.createdAt.getTime() < now - 30 * DAY);
    const sentimentOf = (ts: typeof list) =>
      ts.map((t) => sentiments.get(t.id)?.compound).filter((x): x is number => x !== undefined);
    const signals = {
      tickets30d: cur.length,
      ticketsPrev30d: prev.length,
      sentiment30d: mean(sentimentOf(cur)),
      sentimentPrev30d: mean(sentimentOf(prev)),
      unresolved: list.filter((t) => OPEN.has(t.status) && t.createdAt.getTime() < now - 3 * DAY).length,
      reopened: cur.reduce((n, t) => n + t.reopenCount, 0),
      slaBreaches: cur.filter((t) => t.fr || t.res).length,
      churnThreats: cur.filter((t) => sentiments.get(t.id)?.churn).length,
      usageChange: usageChangeOf(a.attributes),
    };
    return { accountId: a.id, signals, score: scoreHealth(signals, a.billingState).score, account: a };
  });
}

export async function topicsFromScratch(ctx: Ctx) {
  const now = ctx.now().getTime();
  const facts = await loadTicketFacts(ctx, new Date(now - 30 * DAY), ctx.now());
  const byTopic = new Map<string, TicketFact[]>();
  for (const f of facts) if (f.topicId) byTopic.set(f.topicId, [...(byTopic.get(f.topicId) ?? []), f]);
  const topics = [...byTopic.entries()].map(([id, list]) => {
    const intents = new Map<string, number>();
    for (const f of list) if (f.intent) intents.set(f.intent, (intents.get(f.intent) ?? 0) + 1);
    return {
      id,
      tickets: list.length,
      thisWeek: list.filter((f) => f.createdAt.getTime() >= now - 7 * DAY).length,
      lastWeek: list.filter((f) => f.createdAt.getTime() >= now - 14 * DAY && f.createdAt.getTime() < now - 7 * DAY)
        .length,
      topIntents: [...intents.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3)
        .map(([intent, tickets]) => ({ intent, tickets })),
      examples: list
        .slice(-3)
        .reverse()
        .map((f) => f.id),
    };
  });
  return {
    tickets: facts.length,
    clustered: facts.filter((f) => f.topicId).length,
    topics: topics.sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/**
 * The former anomaly tests ({@link testSeries}'s answer): every ticket of the 4 weeks and 2 hours read into
 * JavaScript, each series' hourly history counted from its tickets' times.
 */
export async function anomalyTestsFromScratch(ctx: Ctx, settings: AnomalySettings): Promise<SeriesTest[]> {
  const now = ctx.now().getTime();
  const span = { windowsMinutes: DEFAULT_WINDOWS_MINUTES, historyWeeks: 4 };
  const facts = await loadTicketFacts(ctx, new Date(historySpan(now, span).historyStart), ctx.now());
  const recentFrom = now - Math.max(...DEFAULT_WINDOWS_MINUTES) * 60_000;
  const sinceMs = facts.length ? Math.min(...facts.map((f) => f.createdAt.getTime())) : now;
  const series = new Map<string, { dimension: AnomalyDimension; key: string; facts: TicketFact[] }>();
  const add = (dimension: AnomalyDimension, key: string | null, f: TicketFact) => {
    if (!key) return;
    const s = series.get(`${dimension}\u0000${key}`) ?? { dimension, key, facts: [] };
    s.facts.push(f);
    series.set(`${dimension}\u0000${key}`, s);
  };
  for (const f of facts) {
    add('intent', f.intent, f);
    add('topic', f.topicId, f);
    add('feature', f.feature, f);
    for (const e of f.errors) add('error', e, f);
  }
  return [...series.values()]
    .filter((s) => s.facts.filter((f) => f.createdAt.getTime() >= recentFrom).length >= settings.minCount)
    .map((s) => {
      const test = detectSpike(
        s.facts.map((f) => f.createdAt.getTime()),
        now,
        { alpha: settings.alpha, minCount: settings.minCount, minRatio: settings.minRatio, ...span, sinceMs },
      );
      const ticketIds = s.facts.filter((f) => f.createdAt.getTime() >= test.windowStart).map((f) => f.id);
      return { dimension: s.dimension, key: s.key, ticketIds, test };
    });
}
