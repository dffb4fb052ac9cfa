import { and, eq, gte, isNotNull, lt, or, sql } from 'drizzle-orm';
import { PRIORITIES, type Priority } from '../domain/enums.js';
import type { Ctx } from '../store/ctx.js';
import { getWorkspace } from '../people/get-workspace.js';
import { accounts, customers, tickets } from '../store/schema.js';
import type { Compliance, ComplianceRow } from './schemas.js';
import { slaOf } from './settings.js';

const DAY = 86_400_000;
const pct = (met: number, breached: number) =>
  met + breached ? Math.round((1000 * met) / (met + breached)) / 10 : null;

/**
 * SLA compliance of the tickets created in [from, to) (default: the 30 days before now), per tier and
 * priority: tickets with SLA targets, first responses and resolutions met and breached (a target still
 * running and not yet due counts as neither), the met percentage of those decided, and tickets with a breach.
 */
export async function slaCompliance(
  ctx: Ctx,
  range: { from?: string | undefined; to?: string | undefined } = {},
): Promise<Compliance> {
  const now = ctx.now();
  const to = range.to ? new Date(range.to) : now;
  const from = range.from ? new Date(range.from) : new Date(to.getTime() - 30 * DAY);
  const settings = slaOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
  const at = sql`${now.toISOString()}::timestamptz`;
  const resolvedAt = sql`coalesce(${tickets.resolvedAt}, ${tickets.closedAt})`;
  const frMet = sql`${tickets.firstResponseAt} <= ${tickets.firstResponseDueAt}`;
  const frBreached = sql`${tickets.firstResponseDueAt} < coalesce(${tickets.firstResponseAt}, ${at})`;
  const resMet = sql`${resolvedAt} <= ${tickets.resolutionDueAt}`;
  // A paused resolution clock (the ticket waits on the customer) stands where it stopped.
  const resBreached = sql`${tickets.resolutionDueAt} < coalesce(${resolvedAt}, ${tickets.slaPausedAt}, ${at})`;
  const count = (cond: ReturnType<typeof sql>) => sql<number>`(count(*) filter (where ${cond}))::int`;
  const tier = sql<string>`coalesce(${accounts.tier}, ${settings.defaultTier})`;
  const rows = await ctx.db
    .select({
      tier,
      priority: tickets.priority,
      tickets: sql<number>`count(*)::int`,
      firstResponseMet: count(frMet),
      firstResponseBreached: count(frBreached),
      resolutionMet: count(resMet),
      resolutionBreached: count(resBreached),
      breaches: count(sql`(${frBreached}) or (${resBreached})`),
    })
    .from(tickets)
    .leftJoin(customers, eq(customers.id, tickets.customerId))
    .leftJoin(accounts, eq(accounts.id, customers.accountId))
    .where(
      and(
        eq(tickets.workspaceId, ctx.workspaceId),
        gte(tickets.createdAt, from),
        lt(tickets.createdAt, to),
        or(isNotNull(tickets.firstResponseDueAt), isNotNull(tickets.resolutionDueAt)),
      ),
    )
    .groupBy(sql`1`, sql`2`); // by position: the tier expression carries a parameter
  const withPct = <T extends Omit<ComplianceRow, 'tier' | 'priority' | 'firstResponseMetPct' | 'resolutionMetPct'>>(
    r: T,
  ) => ({
    ...r,
    firstResponseMetPct: pct(r.firstResponseMet, r.firstResponseBreached),
    resolutionMetPct: pct(r.resolutionMet, r.resolutionBreached),
  });
  const rank = (p: Priority) => -PRIORITIES.indexOf(p);
  const data = rows
    .map((r) => withPct({ ...r, priority: r.priority as Priority }))
    .sort((a, b) => a.tier.localeCompare(b.tier) || rank(a.priority) - rank(b.priority));
  const keys = [
    'tickets',
    'firstResponseMet',
    'firstResponseBreached',
    'resolutionMet',
    'resolutionBreached',
    'breaches',
  ] as const;
  const sum = Object.fromEntries(keys.map((k) => [k, data.reduce((n, r) => n + r[k], 0)])) as Record<
    (typeof keys)[number],
    number
  >;
  return { from, to, rows: data, total: withPct(sum) };
}
