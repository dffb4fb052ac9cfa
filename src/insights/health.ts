/**
 * Customer health: a 0–100 score per account (100 healthy) from the account's tickets of the last 30
 * days against the 30 before — frequency, sentiment trend, unresolved and reopened tickets, SLA breaches,
 * churn threats — its billing state, and product usage when the account carries usage figures. Each
 * deduction is a reason; a low score or a churn threat flags churn risk.
 *
 * A read does not score every account: each account's signals and its place in the order are kept in
 * `insight_account_health` (migration 0028). A read first brings the accounts that may have changed up to date (those
 * the triggers marked, and those with a ticket that crossed a window's edge since the last read), recomputing their
 * signals from the rollups, then takes the riskiest from an index. The answer is the one a computation over every
 * account would give (test/insight-rollups.test.ts); its cost is that of the accounts changed since, not of all.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { OPEN_TICKET_STATUSES } from '../domain/enums.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import {
  accounts,
  insightAccountHealth,
  insightAccountHealthMarks,
  insightAccountHealthState,
} from '../store/schema.js';
import { meanSentiment, sumsByKey } from './rollups.js';

const DAY = 86_400_000;

export const HealthReasonSchema = z.object({ factor: z.string(), detail: z.string(), penalty: z.number() });
export const AccountHealthSchema = z.object({
  accountId: z.uuid(),
  name: z.string(),
  tier: z.string(),
  plan: z.string().nullable(),
  mrr: z.number(),
  billingState: z.string(),
  score: z.number(),
  risk: z.enum(['high', 'medium', 'low']),
  churnRisk: z.boolean(),
  /** MRR × (1 − score/100): what the risk puts at stake. */
  revenueAtRisk: z.number(),
  reasons: z.array(HealthReasonSchema),
  signals: z.object({
    tickets30d: z.number(),
    ticketsPrev30d: z.number(),
    sentiment30d: z.number().nullable(),
    sentimentPrev30d: z.number().nullable(),
    unresolved: z.number(),
    reopened: z.number(),
    slaBreaches: z.number(),
    churnThreats: z.number(),
    /** Fractional change of usage (−0.4: down 40%); null when the account has no usage figures. */
    usageChange: z.number().nullable(),
  }),
});
export type AccountHealth = z.infer<typeof AccountHealthSchema>;

export const HealthQuerySchema = z
  .object({
    risk: z.enum(['high', 'medium', 'low']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** Usage change from what the account carries: `usageChange`, `usage: {current, previous}` or
 * `activeUsers`/`previousActiveUsers`. */
export function usageChangeOf(attributes: Record<string, unknown>): number | null {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const direct = num(attributes.usageChange) ?? num(attributes.usageTrend);
  if (direct !== null) return direct;
  const usage = attributes.usage as Record<string, unknown> | undefined;
  const pairs: [number | null, number | null][] = [
    [num(usage?.current), num(usage?.previous)],
    [num(attributes.activeUsers), num(attributes.previousActiveUsers)],
  ];
  for (const [cur, prev] of pairs) if (cur !== null && prev !== null && prev > 0) return (cur - prev) / prev;
  return null;
}

export interface Signals {
  tickets30d: number;
  ticketsPrev30d: number;
  sentiment30d: number | null;
  sentimentPrev30d: number | null;
  unresolved: number;
  reopened: number;
  slaBreaches: number;
  churnThreats: number;
  usageChange: number | null;
}

/** The score and reasons from an account's signals and billing state. Pure. */
export function scoreHealth(
  s: Signals,
  billingState: string,
): {
  score: number;
  risk: 'high' | 'medium' | 'low';
  churnRisk: boolean;
  reasons: z.infer<typeof HealthReasonSchema>[];
} {
  const reasons: z.infer<typeof HealthReasonSchema>[] = [];
  const deduct = (factor: string, detail: string, penalty: number) => {
    if (penalty > 0) reasons.push({ factor, detail, penalty: Math.round(penalty) });
  };
  if (s.tickets30d >= 3) {
    const rise = s.ticketsPrev30d ? s.tickets30d / s.ticketsPrev30d : s.tickets30d;
    deduct(
      'ticket_frequency',
      `${s.tickets30d} tickets in 30 days (${s.ticketsPrev30d} the 30 before)`,
      Math.min(15, 2 * s.tickets30d + (rise >= 2 ? 5 : 0)),
    );
  }
  if (s.sentiment30d !== null && s.sentiment30d < -0.1)
    deduct(
      'negative_sentiment',
      `average sentiment ${s.sentiment30d.toFixed(2)} in 30 days`,
      Math.min(20, -s.sentiment30d * 30),
    );
  if (s.sentiment30d !== null && s.sentimentPrev30d !== null && s.sentiment30d < s.sentimentPrev30d - 0.2) {
    deduct(
      'sentiment_decline',
      `sentiment fell from ${s.sentimentPrev30d.toFixed(2)} to ${s.sentiment30d.toFixed(2)}`,
      10,
    );
  }
  deduct('unresolved_tickets', `${s.unresolved} tickets open for more than 3 days`, Math.min(15, 5 * s.unresolved));
  deduct('reopened_tickets', `${s.reopened} reopens in 30 days`, Math.min(15, 5 * s.reopened));
  deduct('sla_breaches', `${s.slaBreaches} SLA breaches in 30 days`, Math.min(15, 5 * s.slaBreaches));
  deduct('churn_threat', `${s.churnThreats} tickets mention cancelling or leaving`, s.churnThreats ? 25 : 0);
  const billing: Record<string, number> = { past_due: 30, cancelled: 40, downgraded: 15 };
  deduct('billing_state', `billing is ${billingState}`, billing[billingState] ?? 0);
  if (s.usageChange !== null && s.usageChange <= -0.2)
    deduct('usage_decline', `usage down ${Math.round(-s.usageChange * 100)}%`, Math.min(25, -s.usageChange * 40));
  const score = Math.max(0, 100 - reasons.reduce((a, r) => a + r.penalty, 0));
  const risk =
    score < 50 || s.churnThreats > 0 || billingState === 'cancelled' ? 'high' : score < 75 ? 'medium' : 'low';
  reasons.sort((a, b) => b.penalty - a.penalty);
  return { score, risk, churnRisk: risk === 'high', reasons };
}

type AccountRow = typeof accounts.$inferSelect;
const RANK = { high: 0, medium: 1, low: 2 } as const;
/** More accounts to bring up to date than this, or a last refresh longer ago than a day: every account is recomputed
 * at once (one read of every account's rollups costs less than this many reads by key). */
export const FULL_REFRESH_ACCOUNTS = 300;

/** The health of an account with these signals. */
function healthOf(a: AccountRow, signals: Signals): AccountHealth {
  const scored = scoreHealth(signals, a.billingState);
  return {
    accountId: a.id,
    name: a.name,
    tier: a.tier,
    plan: a.plan,
    mrr: a.mrr,
    billingState: a.billingState,
    ...scored,
    revenueAtRisk: Math.round(a.mrr * (1 - scored.score / 100) * 100) / 100,
    signals,
  };
}

/** The signals of accounts `rows` at `now` from the rollups: the last 30 days (and after: tickets dated ahead count as
 * recent), the 30 before, and the tickets still open from the 60 days up to 3 days ago (src/insights/rollups.ts). With
 * `keys`, only those accounts' rollups are read. */
async function signalsOf(ctx: Ctx, rows: AccountRow[], keys?: string[]): Promise<Signals[]> {
  const now = ctx.now().getTime();
  // One after the other: in a transaction, the statements share one connection.
  const cur = await sumsByKey(ctx, 'account', { from: new Date(now - 30 * DAY) }, keys);
  const prev = await sumsByKey(ctx, 'account', { from: new Date(now - 60 * DAY), to: new Date(now - 30 * DAY) }, keys);
  const waiting = await sumsByKey(
    ctx,
    'account',
    { from: new Date(now - 60 * DAY), to: new Date(now - 3 * DAY) },
    keys,
  );
  return rows.map((a) => {
    const c = cur.get(a.id);
    return {
      tickets30d: c?.tickets ?? 0,
      ticketsPrev30d: prev.get(a.id)?.tickets ?? 0,
      sentiment30d: meanSentiment(c),
      sentimentPrev30d: meanSentiment(prev.get(a.id)),
      unresolved: waiting.get(a.id)?.open ?? 0,
      reopened: c?.reopened ?? 0,
      slaBreaches: c?.slaBreached ?? 0,
      churnThreats: c?.churn ?? 0,
      usageChange: usageChangeOf(a.attributes),
    };
  });
}

/** The accounts with a ticket created in `[lo, hi)` (open tickets only with `open`). */
async function accountsCreatedIn(ctx: Ctx, lo: number, hi: number, open = false): Promise<string[]> {
  if (hi <= lo) return [];
  const res = (await ctx.db.execute(
    sql`select distinct c.account_id from tickets t join customers c on c.id = t.customer_id
        where t.workspace_id = ${ctx.workspaceId} and c.account_id is not null
        and t.created_at >= ${new Date(lo).toISOString()}::timestamptz
        and t.created_at < ${new Date(hi).toISOString()}::timestamptz
        ${
          open
            ? sql`and t.status in (${sql.join(
                OPEN_TICKET_STATUSES.map((x) => sql`${x}`),
                sql`, `,
              )})`
            : sql``
        }`,
  )) as unknown as { rows: { account_id: string }[] };
  return res.rows.map((r) => r.account_id);
}

/**
 * Brings the workspace's `insight_account_health` rows up to `ctx.now()`: the accounts marked since the last refresh
 * (their tickets' rollups or the account changed) and those with a ticket that crossed the edge of a window between
 * then and now (30 and 60 days back; 3 days back for open tickets) are recomputed; the others' signals cannot have
 * changed. Refreshes of one workspace take turns (a row lock). Returns how many accounts were recomputed.
 */
export async function refreshAccountHealth(ctx: Ctx): Promise<{ accounts: number; full: boolean }> {
  return inTransaction(ctx, async (tx) => {
    const now = tx.now();
    const ws = tx.workspaceId;
    const created = await tx.db
      .insert(insightAccountHealthState)
      .values({ workspaceId: ws, asOf: now })
      .onConflictDoNothing()
      .returning({ ws: insightAccountHealthState.workspaceId });
    const [state] = created.length
      ? [undefined]
      : await tx.db
          .select()
          .from(insightAccountHealthState)
          .where(eq(insightAccountHealthState.workspaceId, ws))
          .for('update');
    const marks = await tx.db
      .select({ id: insightAccountHealthMarks.id, accountId: insightAccountHealthMarks.accountId })
      .from(insightAccountHealthMarks)
      .where(eq(insightAccountHealthMarks.workspaceId, ws));
    const then = state?.asOf.getTime();
    const t = now.getTime();
    let keys: Set<string> | undefined;
    if (then !== undefined && Math.abs(t - then) <= DAY) {
      keys = new Set(marks.map((m) => m.accountId));
      const [lo, hi] = [Math.min(then, t), Math.max(then, t)];
      for (const [back, open] of [
        [30 * DAY, false],
        [60 * DAY, false],
        [3 * DAY, true],
      ] as const)
        for (const id of await accountsCreatedIn(tx, lo - back, hi - back, open)) keys.add(id);
      if (keys.size > FULL_REFRESH_ACCOUNTS) keys = undefined;
    }
    const ids = keys && [...keys];
    const rows =
      ids?.length === 0
        ? []
        : await tx.db
            .select()
            .from(accounts)
            .where(and(eq(accounts.workspaceId, ws), ids ? inArray(accounts.id, ids) : undefined));
    const signals = rows.length ? await signalsOf(tx, rows, ids) : [];
    for (let i = 0; i < rows.length; i += 1000) {
      await tx.db
        .insert(insightAccountHealth)
        .values(
          rows.slice(i, i + 1000).map((a, j) => {
            const h = healthOf(a, signals[i + j]!);
            return {
              accountId: a.id,
              workspaceId: ws,
              signals: { ...h.signals },
              riskRank: RANK[h.risk],
              revenueAtRisk: h.revenueAtRisk,
              mrr: h.mrr,
              score: h.score,
            };
          }),
        )
        .onConflictDoUpdate({
          target: insightAccountHealth.accountId,
          set: {
            signals: sql`excluded.signals`,
            riskRank: sql`excluded.risk_rank`,
            revenueAtRisk: sql`excluded.revenue_at_risk`,
            mrr: sql`excluded.mrr`,
            score: sql`excluded.score`,
          },
        });
    }
    // Only the marks read: one appended since (by a transaction this one's reads did not see) stays for the next.
    for (let i = 0; i < marks.length; i += 5000)
      await tx.db.delete(insightAccountHealthMarks).where(
        inArray(
          insightAccountHealthMarks.id,
          marks.slice(i, i + 5000).map((m) => m.id),
        ),
      );
    if (state)
      await tx.db
        .update(insightAccountHealthState)
        .set({ asOf: now })
        .where(eq(insightAccountHealthState.workspaceId, ws));
    return { accounts: rows.length, full: !keys };
  });
}

/** The accounts' health, riskiest first and, at equal risk, most revenue at stake first (then the higher MRR, the
 * lower score, the account's id): the first `limit` (of risk `risk`) from `insight_account_health`, brought up to
 * date first. */
export async function accountHealth(
  ctx: Ctx,
  query: z.infer<typeof HealthQuerySchema> = { limit: 100 },
): Promise<AccountHealth[]> {
  await refreshAccountHealth(ctx);
  const h = insightAccountHealth;
  const rows = await ctx.db
    .select({ account: accounts, signals: h.signals })
    .from(h)
    .innerJoin(accounts, eq(accounts.id, h.accountId))
    .where(and(eq(h.workspaceId, ctx.workspaceId), query.risk ? eq(h.riskRank, RANK[query.risk]) : undefined))
    .orderBy(asc(h.riskRank), desc(h.revenueAtRisk), desc(h.mrr), asc(h.score), asc(h.accountId))
    .limit(query.limit);
  return rows.map((r) => healthOf(r.account, r.signals as unknown as Signals));
}
