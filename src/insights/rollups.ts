/**
 * Reads of the insight rollups (migration 0021): sums of the facts of a workspace's tickets created in a time
 * range, per key of one dimension (and per hour or day when asked). Whole days and hours come from
 * `insight_rollups`, which triggers keep exact in the transaction of every change; the partial hours at the range's
 * edges come from `insight_ticket_base` with the dimension's key, the same definition the triggers apply. A read
 * costs the number of hours and keys in the range (days, and at most 46 hours around them) plus the tickets of at
 * most two hours (the key and the measures of each, by index lookups), whatever the number of tickets in it.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../store/ctx.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const ROLLUP_DIMENSIONS = [
  'all',
  'intent',
  'topic',
  'tier',
  'feature',
  'account',
  'channel',
  'topic.intent',
] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

/** The sums of a group of tickets. `open`: tickets still waiting (new, open, pending, snoozed) now. */
export interface RollupSums {
  tickets: number;
  open: number;
  resolved: number;
  reopened: number;
  slaBreached: number;
  escalated: number;
  sentimentSum: number;
  sentimentN: number;
  churn: number;
  firstResponseMs: number;
  firstResponseN: number;
  resolutionMs: number;
  resolutionN: number;
}

export interface RollupRow {
  /** The key in the dimension; null when the ticket has none (and for `all`). */
  key: string | null;
  /** Start of the hour or day (epoch ms) with `by`, else null. */
  bucket: number | null;
  sums: RollupSums;
}

/** Tickets created from `from` (inclusive) to `to` (inclusive with `toInclusive`); no `to`: no upper bound. */
export interface RollupRange {
  from: Date;
  to?: Date;
  toInclusive?: boolean;
}

/** A PostgreSQL text[] literal of `xs` (each element quoted). */
const textArray = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

const MEASURES: [keyof RollupSums, string, string][] = [
  ['tickets', 'tickets', '1'],
  ['open', 'open', 'open'],
  ['resolved', 'resolved', 'resolved'],
  ['reopened', 'reopened', 'reopened'],
  ['slaBreached', 'sla_breached', 'sla_breached'],
  ['escalated', 'escalated', 'escalated'],
  ['sentimentSum', 'sentiment_sum', 'coalesce(sentiment, 0)'],
  ['sentimentN', 'sentiment_n', '(sentiment is not null)::int'],
  ['churn', 'churn', 'churn'],
  ['firstResponseMs', 'first_response_ms', 'coalesce(first_response_ms, 0)'],
  ['firstResponseN', 'first_response_n', '(first_response_ms is not null)::int'],
  ['resolutionMs', 'resolution_ms', 'coalesce(resolution_ms, 0)'],
  ['resolutionN', 'resolution_n', '(resolution_ms is not null)::int'],
];
const ROLLUP_COLUMNS = sql.raw(MEASURES.map(([, col]) => col).join(', '));
const FACT_COLUMNS = sql.raw(MEASURES.map(([, col, expr]) => `${expr} as ${col}`).join(', '));
const SUMS = sql.raw(MEASURES.map(([, col]) => `sum(${col}) as ${col}`).join(', '));

const iso = (d: Date | number) => new Date(d).toISOString();

/**
 * A dimension's key for the tickets of the partial hours, read from `insight_ticket_base` (as
 * `insight_ticket_dimensions` of migration 0025 defines it, which the triggers apply; test/insight-rollups.test.ts
 * checks both agree at every edge). Only the key and the measures are computed for each ticket: through
 * `insight_ticket_facts`, every dimension's key (topic, account, tier lookups, the errors' normalisation) was: 40–50
 * ms for the ~1,000 tickets of an hour at 1M tickets a month.
 */
const EDGE_KEYS: Record<RollupDimension, SQL> = {
  all: sql.raw('null::text as key'),
  intent: sql.raw('b.intent as key'),
  topic: sql.raw('b.topic_id::text as key'),
  tier: sql.raw('b.tier as key'),
  feature: sql.raw('b.feature as key'),
  account: sql.raw('b.account_id::text as key'),
  channel: sql.raw('b.channel as key'),
  'topic.intent': sql.raw("b.topic_id::text || ' ' || nullif(b.intent, '') as key"),
};

/**
 * Sums per key (and per hour or UTC day with `by`) of the workspace's tickets created in `range`: whole days from
 * the daily rows (unless `by` is 'hour'), whole hours around them from the hourly rows, the partial hours at the
 * ends from the tickets. Keys without tickets are left out.
 */
export async function rollupSums(
  ctx: Ctx,
  dimension: RollupDimension,
  range: RollupRange,
  opts: { by?: 'hour' | 'day'; keys?: readonly string[] } = {},
): Promise<RollupRow[]> {
  const from = range.from.getTime();
  const to = range.to?.getTime();
  const toOp = sql.raw(range.toInclusive ? '<=' : '<');
  const hFrom = Math.ceil(from / HOUR) * HOUR;
  const hTo = to === undefined ? undefined : Math.floor(to / HOUR) * HOUR;
  const ws = ctx.workspaceId;
  // With `keys`, only theirs: the dimension is written into the statement (a closed set of names), so that the planner
  // may take a partial index of the dimension (0028's for accounts) for a few keys.
  const keys = opts.keys && sql`${textArray(opts.keys)}::text[]`;
  const dim = keys ? sql.raw(`'${dimension}'`) : sql`${dimension}`;
  const facts = (cond: SQL) => {
    const edge = sql`select hour, ${EDGE_KEYS[dimension]}, ${FACT_COLUMNS} from insight_ticket_base b
        where workspace_id = ${ws} and ${cond}`;
    return keys ? sql`select * from (${edge}) e where key = any(${keys})` : edge;
  };
  const rows = (grain: 'h' | 'd', start: number, end: number | undefined) =>
    sql`select hour, key, ${ROLLUP_COLUMNS} from insight_rollups where workspace_id = ${ws} and dimension = ${dim}
        and grain = ${grain}${keys ? sql` and key = any(${keys})` : sql``}
        and hour >= ${iso(start)}::timestamptz${end === undefined ? sql`` : sql` and hour < ${iso(end)}::timestamptz`}`;
  const parts: SQL[] = [];
  if (to !== undefined && hTo! <= hFrom) {
    parts.push(facts(sql`created_at >= ${iso(from)}::timestamptz and created_at ${toOp} ${iso(to)}::timestamptz`));
  } else {
    const dFrom = Math.ceil(hFrom / DAY) * DAY;
    const dTo = hTo === undefined ? undefined : Math.floor(hTo / DAY) * DAY;
    if (opts.by === 'hour' || (dTo !== undefined && dTo <= dFrom)) parts.push(rows('h', hFrom, hTo));
    else {
      parts.push(rows('d', dFrom, dTo));
      if (hFrom < dFrom) parts.push(rows('h', hFrom, dFrom));
      if (dTo !== undefined && dTo < hTo!) parts.push(rows('h', dTo, hTo));
    }
    if (from < hFrom)
      parts.push(facts(sql`created_at >= ${iso(from)}::timestamptz and created_at < ${iso(hFrom)}::timestamptz`));
    if (to !== undefined)
      parts.push(facts(sql`created_at >= ${iso(hTo!)}::timestamptz and created_at ${toOp} ${iso(to)}::timestamptz`));
  }
  const bucket = sql.raw(
    opts.by === 'hour'
      ? 'extract(epoch from hour) * 1000'
      : opts.by === 'day'
        ? 'floor(extract(epoch from hour) / 86400) * 86400000'
        : 'null',
  );
  const group = sql.raw(opts.by ? '1, key' : 'key');
  const res = (await ctx.db.execute(
    sql`select (${bucket})::float8 as bucket_ms, key, ${SUMS} from (${sql.join(parts, sql` union all `)}) p group by
        ${group} having sum(tickets) <> 0`,
  )) as unknown as { rows: Record<string, unknown>[] };
  return res.rows.map((r) => {
    const sums = {} as RollupSums;
    for (const [name, col] of MEASURES) sums[name] = Number(r[col] ?? 0);
    return {
      key: (r.key as string | null) ?? null,
      bucket: r.bucket_ms === null || r.bucket_ms === undefined ? null : Number(r.bucket_ms),
      sums,
    };
  });
}

/** {@link rollupSums} without hours, as a map by key. */
export async function sumsByKey(
  ctx: Ctx,
  dimension: RollupDimension,
  range: RollupRange,
  keys?: readonly string[],
): Promise<Map<string | null, RollupSums>> {
  return new Map((await rollupSums(ctx, dimension, range, { keys })).map((r) => [r.key, r.sums]));
}

/** The mean sentiment of a group (3 decimals), null when none of its tickets carries one. */
export function meanSentiment(s: RollupSums | undefined): number | null {
  return s?.sentimentN ? Math.round((s.sentimentSum / s.sentimentN) * 1000) / 1000 : null;
}
