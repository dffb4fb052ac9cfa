/**
 * Anomaly detection over the workspace's ticket stream: every intent, topic, feature (page feature or
 * route) and error message is a series tested against its own seasonal baseline (src/insights/anomaly.ts).
 * A spike is stored once per cooldown and appended to the timeline as `anomaly.detected`.
 */
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { Timestamp } from '../domain/schemas.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { anomalies, insightTopics } from '../store/schema.js';
import { DEFAULT_WINDOWS_MINUTES, detectSpikeIn, historySpan } from './anomaly.js';
import { getInsightsSettings } from './settings.js';

const HOUR = 3_600_000;
const HISTORY_WEEKS = 4;
const WINDOWS_MINUTES = DEFAULT_WINDOWS_MINUTES;

export const ANOMALY_DIMENSIONS = ['intent', 'topic', 'feature', 'error'] as const;
export type AnomalyDimension = (typeof ANOMALY_DIMENSIONS)[number];

export const AnomalySchema = z.object({
  id: z.uuid(),
  dimension: z.string(),
  key: z.string(),
  label: z.string(),
  windowStart: Timestamp,
  windowEnd: Timestamp,
  observed: z.number(),
  expected: z.number(),
  pValue: z.number(),
  ticketIds: z.array(z.string()),
  createdAt: Timestamp,
});
export type Anomaly = z.infer<typeof AnomalySchema>;

export const AnomaliesQuerySchema = z
  .object({
    days: z.coerce.number().int().min(1).max(90).default(7),
    dimension: z.enum(ANOMALY_DIMENSIONS).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** A recent ticket as the series read it; its keys come from the same SQL as the rollups'. */
interface RecentTicket {
  id: string;
  at: number;
  intent: string | null;
  topic: string | null;
  feature: string | null;
  errors: string[] | null;
}

interface Series {
  dimension: AnomalyDimension;
  key: string;
  /** Its recent tickets, oldest first. */
  tickets: RecentTicket[];
}

const seriesId = (dimension: string, key: string) => `${dimension}\u0000${key}`;

function seriesOf(recent: readonly RecentTicket[]): Map<string, Series> {
  const out = new Map<string, Series>();
  const add = (dimension: AnomalyDimension, key: string | null, t: RecentTicket) => {
    if (!key) return;
    const id = seriesId(dimension, key);
    const s = out.get(id) ?? { dimension, key, tickets: [] };
    s.tickets.push(t);
    out.set(id, s);
  };
  for (const t of recent) {
    add('intent', t.intent, t);
    add('topic', t.topic, t);
    add('feature', t.feature, t);
    for (const e of t.errors ?? []) add('error', e, t);
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The workspace's tickets created in [from, to], oldest first, with their keys as `insight_ticket_base` defines
 * them (feature: the page's feature id, else its route; errors: the normalised messages).
 */
async function recentTickets(ctx: Ctx, from: number, to: number): Promise<RecentTicket[]> {
  const res = (await ctx.db.execute(sql`
    select t.id, extract(epoch from t.created_at) * 1000 as at_ms, t.intent, tt.topic_id as topic,
      coalesce(t.page_context ->> 'featureId', t.page_context ->> 'route') as feature,
      insight_ticket_errors(t.page_context) as errors
    from tickets t left join ticket_topics tt on tt.ticket_id = t.id
    where t.workspace_id = ${ctx.workspaceId} and t.created_at >= ${iso(from)}::timestamptz
      and t.created_at <= ${iso(to)}::timestamptz
    order by t.created_at, t.id`)) as unknown as { rows: Record<string, unknown>[] };
  return res.rows.map((r) => ({
    id: r.id as string,
    at: Number(r.at_ms),
    intent: (r.intent as string | null) ?? null,
    topic: (r.topic as string | null) ?? null,
    feature: (r.feature as string | null) ?? null,
    errors: (r.errors as string[] | null) ?? null,
  }));
}

/**
 * Hourly ticket counts of each series in [from, to) (whole hours), from the hourly rollups: one index range of
 * each dimension's hours (its keys × hours, whatever the number of tickets), its tested keys kept.
 */
async function hourlyHistory(
  ctx: Ctx,
  series: readonly Series[],
  from: number,
  to: number,
): Promise<Map<string, Map<number, number>>> {
  const out = new Map<string, Map<number, number>>();
  if (to <= from) return out;
  const keysOf = new Map<AnomalyDimension, string[]>();
  for (const s of series) {
    const keys = keysOf.get(s.dimension) ?? [];
    keys.push(s.key);
    keysOf.set(s.dimension, keys);
  }
  for (const [dimension, keys] of keysOf) {
    const res = (await ctx.db.execute(sql`
      select key, extract(epoch from hour) * 1000 as hour_ms, tickets from insight_rollups
      where workspace_id = ${ctx.workspaceId} and dimension = ${dimension} and grain = 'h'
        and hour >= ${iso(from)}::timestamptz and hour < ${iso(to)}::timestamptz
        and key = any(${sql.param(keys)}::text[]) and tickets <> 0`)) as unknown as { rows: Record<string, unknown>[] };
    for (const r of res.rows) {
      const id = seriesId(dimension, r.key as string);
      const hours = out.get(id) ?? new Map<number, number>();
      hours.set(Number(r.hour_ms), Number(r.tickets));
      out.set(id, hours);
    }
  }
  return out;
}

/** The counts of `hours` hours from `startMs`, from a map by hour start. */
function countsFrom(byHour: Map<number, number> | undefined, startMs: number, hours: number): Float64Array {
  const out = new Float64Array(hours);
  if (byHour)
    for (const [at, n] of byHour) if (at >= startMs && at < startMs + hours * HOUR) out[(at - startMs) / HOUR] = n;
  return out;
}

/** One series' test now: its tickets in the tested window (oldest first) and the test's result. */
export interface SeriesTest {
  dimension: AnomalyDimension;
  key: string;
  ticketIds: string[];
  test: ReturnType<typeof detectSpikeIn>;
}

export type AnomalySettings = Awaited<ReturnType<typeof getInsightsSettings>>['anomalies'];

/**
 * Tests every series with at least `minCount` tickets in the longest window now. The tickets of the last few hours
 * (from the hour the longest window starts in) come from the tickets; the weeks of history before them from the
 * hourly rollups: the cost is the number of recent tickets and of hours × series tested, whatever the number of
 * tickets in the history.
 */
export async function testSeries(ctx: Ctx, settings: AnomalySettings): Promise<SeriesTest[]> {
  const now = ctx.now().getTime();
  const span = { windowsMinutes: WINDOWS_MINUTES, historyWeeks: HISTORY_WEEKS };
  const { historyStart: from, historyEnd } = historySpan(now, span);
  const recentFrom = now - Math.max(...WINDOWS_MINUTES) * 60_000;
  // History is the workspace's (its first ticket in the span), not the series': a new error on a desk with weeks
  // of tickets has weeks of quiet behind it, while a new workspace has little history for every series.
  const first = (await ctx.db.execute(sql`
    select extract(epoch from min(created_at)) * 1000 as at_ms from tickets where workspace_id = ${ctx.workspaceId}
      and created_at >= ${iso(from)}::timestamptz and created_at <= ${iso(now)}::timestamptz`)) as unknown as {
    rows: { at_ms: unknown }[];
  };
  const sinceMs = first.rows[0]?.at_ms == null ? now : Number(first.rows[0].at_ms);
  const tested = [...seriesOf(await recentTickets(ctx, historyEnd, now)).values()].filter(
    (s) => s.tickets.filter((t) => t.at >= recentFrom).length >= settings.minCount,
  );
  const history = await hourlyHistory(ctx, tested, from, historyEnd);
  return tested.map((s) => {
    const byHour = history.get(seriesId(s.dimension, s.key));
    const test = detectSpikeIn(
      { hourly: (startMs, hours) => countsFrom(byHour, startMs, hours), recent: s.tickets.map((t) => t.at) },
      now,
      { alpha: settings.alpha, minCount: settings.minCount, minRatio: settings.minRatio, ...span, sinceMs },
    );
    const ticketIds = s.tickets.filter((t) => t.at >= test.windowStart).map((t) => t.id);
    return { dimension: s.dimension, key: s.key, ticketIds, test };
  });
}

/**
 * Tests every series now ({@link testSeries}); stores and announces (`anomaly.detected`) each spike not already
 * alerted within the cooldown. Returns the new alerts.
 */
export async function detectAnomalies(ctx: Ctx): Promise<Anomaly[]> {
  const settings = (await getInsightsSettings(ctx)).anomalies;
  const now = ctx.now().getTime();
  const created: Anomaly[] = [];
  let topicLabels: Map<string, string> | null = null;
  for (const s of await testSeries(ctx, settings)) {
    const { test } = s;
    if (!test.spike) continue;
    const since = new Date(now - settings.cooldownHours * HOUR);
    const [already] = await ctx.db
      .select({ id: anomalies.id })
      .from(anomalies)
      .where(
        and(
          eq(anomalies.workspaceId, ctx.workspaceId),
          eq(anomalies.dimension, s.dimension),
          eq(anomalies.key, s.key),
          gte(anomalies.windowEnd, since),
        ),
      )
      .limit(1);
    if (already) continue;
    if (s.dimension === 'topic' && !topicLabels) {
      const rows = await ctx.db
        .select({ id: insightTopics.id, label: insightTopics.label })
        .from(insightTopics)
        .where(eq(insightTopics.workspaceId, ctx.workspaceId));
      topicLabels = new Map(rows.map((r) => [r.id, r.label]));
    }
    const label = s.dimension === 'topic' ? (topicLabels?.get(s.key) ?? s.key) : s.key;
    const ticketIds = s.ticketIds.slice(-50);
    const [row] = await ctx.db
      .insert(anomalies)
      .values({
        workspaceId: ctx.workspaceId,
        dimension: s.dimension,
        key: s.key,
        label,
        windowStart: new Date(test.windowStart),
        windowEnd: new Date(now),
        observed: test.observed,
        expected: test.expected,
        pValue: test.pValue,
        ticketIds,
        createdAt: ctx.now(),
      })
      .returning();
    const anomaly = toAnomaly(row!);
    await appendEvent(ctx, 'anomaly.detected', null, {
      anomalyId: anomaly.id,
      dimension: anomaly.dimension,
      key: anomaly.key,
      label: anomaly.label,
      observed: anomaly.observed,
      expected: Math.round(anomaly.expected * 100) / 100,
      pValue: anomaly.pValue,
      windowStart: anomaly.windowStart.toISOString(),
      windowEnd: anomaly.windowEnd.toISOString(),
      ticketIds: anomaly.ticketIds.slice(0, 10),
      history: test.history,
      summary:
        `${anomaly.observed} tickets for ${anomaly.dimension} "${anomaly.label}" since ` +
        `${anomaly.windowStart.toISOString()} where about ${anomaly.expected.toFixed(1)} were expected` +
        ` (baseline from ` +
        (test.history.hours < test.history.fullHours
          ? `only ${test.history.hours} hours`
          : `${test.history.fullHours / 24} days`) +
        ` of history)`,
    });
    created.push(anomaly);
  }
  return created;
}

function toAnomaly(row: typeof anomalies.$inferSelect): Anomaly {
  const { workspaceId: _w, ...rest } = row;
  return rest;
}

/** Recent alerts, newest first. */
export async function listAnomalies(ctx: Ctx, query: z.infer<typeof AnomaliesQuerySchema>): Promise<Anomaly[]> {
  const since = new Date(ctx.now().getTime() - query.days * 24 * HOUR);
  const rows = await ctx.db
    .select()
    .from(anomalies)
    .where(
      and(
        eq(anomalies.workspaceId, ctx.workspaceId),
        gte(anomalies.createdAt, since),
        query.dimension ? eq(anomalies.dimension, query.dimension) : undefined,
      ),
    )
    .orderBy(desc(anomalies.createdAt))
    .limit(query.limit);
  return rows.map(toAnomaly);
}
