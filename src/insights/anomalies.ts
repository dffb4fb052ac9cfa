/**
 * Anomaly detection over the workspace's ticket stream: every intent, topic, feature (page feature or
 * route) and error message is a series tested against its own seasonal baseline (src/insights/anomaly.ts).
 * A spike is stored once per cooldown and appended to the timeline as `anomaly.detected`.
 */
import { and, desc, eq, gte } from 'drizzle-orm';
import { z } from 'zod';
import { Timestamp } from '../domain/schemas.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { anomalies, insightTopics } from '../store/schema.js';
import { DEFAULT_WINDOWS_MINUTES, detectSpike } from './anomaly.js';
import { loadTicketFacts, type TicketFact } from './data.js';
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

function seriesOf(
  facts: readonly TicketFact[],
): Map<string, { dimension: AnomalyDimension; key: string; facts: TicketFact[] }> {
  const out = new Map<string, { dimension: AnomalyDimension; key: string; facts: TicketFact[] }>();
  const add = (dimension: AnomalyDimension, key: string | null, f: TicketFact) => {
    if (!key) return;
    const id = `${dimension}\u0000${key}`;
    const s = out.get(id) ?? { dimension, key, facts: [] };
    s.facts.push(f);
    out.set(id, s);
  };
  for (const f of facts) {
    add('intent', f.intent, f);
    add('topic', f.topicId, f);
    add('feature', f.feature, f);
    for (const e of f.errors) add('error', e, f);
  }
  return out;
}

/**
 * Tests every series now; stores and announces (`anomaly.detected`) each spike not already alerted within
 * the cooldown. Returns the new alerts.
 */
export async function detectAnomalies(ctx: Ctx): Promise<Anomaly[]> {
  const settings = (await getInsightsSettings(ctx)).anomalies;
  const now = ctx.now().getTime();
  const from = Math.floor((now - Math.max(...WINDOWS_MINUTES) * 60_000) / HOUR) * HOUR - HISTORY_WEEKS * 7 * 24 * HOUR;
  const facts = await loadTicketFacts(ctx, new Date(from), ctx.now());
  const recentFrom = now - Math.max(...WINDOWS_MINUTES) * 60_000;
  const created: Anomaly[] = [];
  let topicLabels: Map<string, string> | null = null;
  // History is the workspace's (its first ticket in the span), not the series': a new error on a desk with weeks
  // of tickets has weeks of quiet behind it, while a new workspace has little history for every series.
  const sinceMs = facts.length ? Math.min(...facts.map((f) => f.createdAt.getTime())) : now;
  for (const s of seriesOf(facts).values()) {
    const recent = s.facts.filter((f) => f.createdAt.getTime() >= recentFrom);
    if (recent.length < settings.minCount) continue;
    const test = detectSpike(
      s.facts.map((f) => f.createdAt.getTime()),
      now,
      {
        alpha: settings.alpha,
        minCount: settings.minCount,
        minRatio: settings.minRatio,
        windowsMinutes: WINDOWS_MINUTES,
        historyWeeks: HISTORY_WEEKS,
        sinceMs,
      },
    );
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
    const ticketIds = s.facts
      .filter((f) => f.createdAt.getTime() >= test.windowStart)
      .map((f) => f.id)
      .slice(-50);
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
