/** Volume trends: ticket counts per intent, topic, tier or page/feature, hourly or daily, with week-over-week change.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { Timestamp } from '../domain/schemas.js';
import type { Ctx } from '../store/ctx.js';
import { insightTopics } from '../store/schema.js';
import type { TicketFact } from './data.js';
import { rollupSums, sumsByKey } from './rollups.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const TREND_DIMENSIONS = ['intent', 'topic', 'tier', 'feature'] as const;
export type TrendDimension = (typeof TREND_DIMENSIONS)[number];

export const TrendsQuerySchema = z
  .object({
    by: z.enum(TREND_DIMENSIONS).default('intent'),
    interval: z.enum(['hour', 'day']).default('day'),
    /** Days shown (default 7 for hourly, 30 for daily). */
    days: z.coerce.number().int().min(1).max(90).optional(),
    /** Largest series shown. */
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type TrendsQuery = z.infer<typeof TrendsQuerySchema>;

export const TrendsReportSchema = z.object({
  by: z.enum(TREND_DIMENSIONS),
  interval: z.enum(['hour', 'day']),
  /** Start of each bucket (UTC). */
  buckets: z.array(Timestamp),
  series: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      counts: z.array(z.number()),
      total: z.number(),
      thisWeek: z.number(),
      lastWeek: z.number(),
      /** (thisWeek − lastWeek) / lastWeek; null when last week had none. */
      weekOverWeek: z.number().nullable(),
    }),
  ),
});
export type TrendsReport = z.infer<typeof TrendsReportSchema>;

/** The key of a ticket in a dimension ('(none)' when it has none). */
export function keyOf(f: TicketFact, by: TrendDimension): string {
  const v = by === 'intent' ? f.intent : by === 'topic' ? f.topicId : by === 'tier' ? f.tier : f.feature;
  return v ?? '(none)';
}

/** Hourly or daily series of the window ending now, biggest series first (from the rollups: src/insights/rollups.ts).
 */
export async function volumeTrends(ctx: Ctx, query: TrendsQuery): Promise<TrendsReport> {
  const step = query.interval === 'hour' ? HOUR : DAY;
  const days = query.days ?? (query.interval === 'hour' ? 7 : 30);
  const nowDate = ctx.now();
  const now = nowDate.getTime();
  const end = Math.floor(now / step) * step + step;
  const n = Math.ceil((days * DAY) / step);
  const start = end - n * step;
  const [perBucket, thisWeek, lastWeek] = await Promise.all([
    rollupSums(ctx, query.by, { from: new Date(start), to: nowDate, toInclusive: true }, { by: query.interval }),
    sumsByKey(ctx, query.by, { from: new Date(now - 7 * DAY), to: nowDate, toInclusive: true }),
    sumsByKey(ctx, query.by, { from: new Date(now - 14 * DAY), to: new Date(now - 7 * DAY) }),
  ]);
  const series = new Map<string, { counts: number[]; total: number; thisWeek: number; lastWeek: number }>();
  const seriesOf = (key: string | null) => {
    const k = key ?? '(none)';
    let s = series.get(k);
    if (!s) series.set(k, (s = { counts: new Array<number>(n).fill(0), total: 0, thisWeek: 0, lastWeek: 0 }));
    return s;
  };
  for (const r of perBucket) {
    const s = seriesOf(r.key);
    s.counts[Math.floor((r.bucket! - start) / step)]! += r.sums.tickets;
    s.total += r.sums.tickets;
  }
  for (const [key, sums] of thisWeek) seriesOf(key).thisWeek += sums.tickets;
  for (const [key, sums] of lastWeek) seriesOf(key).lastWeek += sums.tickets;
  const labels = new Map<string, string>();
  if (query.by === 'topic') {
    const ids = [...series.keys()].filter((k) => k !== '(none)');
    if (ids.length) {
      const rows = await ctx.db
        .select({ id: insightTopics.id, label: insightTopics.label })
        .from(insightTopics)
        .where(and(eq(insightTopics.workspaceId, ctx.workspaceId), inArray(insightTopics.id, ids)));
      for (const r of rows) labels.set(r.id, r.label);
    }
  }
  return {
    by: query.by,
    interval: query.interval,
    buckets: Array.from({ length: n }, (_, i) => new Date(start + i * step)),
    series: [...series.entries()]
      .filter(([, s]) => s.total > 0 || s.thisWeek > 0)
      .map(([key, s]) => ({
        key,
        label: labels.get(key) ?? key,
        ...s,
        weekOverWeek: s.lastWeek ? Math.round(((s.thisWeek - s.lastWeek) / s.lastWeek) * 1000) / 1000 : null,
      }))
      .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key))
      .slice(0, query.limit),
  };
}
