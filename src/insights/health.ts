/**
 * Customer health: a 0–100 score per account (100 healthy) from the account's tickets of the last 30
 * days against the 30 before — frequency, sentiment trend, unresolved and reopened tickets, SLA breaches,
 * churn threats — its billing state, and product usage when the account carries usage figures. Each
 * deduction is a reason; a low score or a churn threat flags churn risk.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../store/ctx.js';
import { accounts } from '../store/schema.js';
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

interface Signals {
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

/** Every account's health, riskiest first and, at equal risk, most revenue at stake first. */
export async function accountHealth(
  ctx: Ctx,
  query: z.infer<typeof HealthQuerySchema> = { limit: 100 },
): Promise<AccountHealth[]> {
  const now = ctx.now().getTime();
  const accountRows = await ctx.db.select().from(accounts).where(eq(accounts.workspaceId, ctx.workspaceId));
  // Each account's sums over the last 30 days (and after: tickets dated ahead count as recent), the 30 before,
  // and the tickets still open from the 60 days up to 3 days ago (src/insights/rollups.ts).
  const [cur, prev, waiting] = await Promise.all([
    sumsByKey(ctx, 'account', { from: new Date(now - 30 * DAY) }),
    sumsByKey(ctx, 'account', { from: new Date(now - 60 * DAY), to: new Date(now - 30 * DAY) }),
    sumsByKey(ctx, 'account', { from: new Date(now - 60 * DAY), to: new Date(now - 3 * DAY) }),
  ]);
  const out = accountRows.map((a) => {
    const c = cur.get(a.id);
    const signals: Signals = {
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
  });
  const rank = { high: 0, medium: 1, low: 2 } as const;
  return out
    .filter((h) => !query.risk || h.risk === query.risk)
    .sort(
      (x, y) => rank[x.risk] - rank[y.risk] || y.revenueAtRisk - x.revenueAtRisk || y.mrr - x.mrr || x.score - y.score,
    )
    .slice(0, query.limit);
}
