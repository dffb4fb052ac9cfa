import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { ActorType } from '../domain/enums.js';
import { DeskmindError } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getTicket } from '../tickets/get-ticket.js';
import { accounts, customers, tickets } from '../store/schema.js';
import { stageDecisions } from '../store/repos/decisions.js';
import { ticketFactEvents } from '../store/repos/events.js';

/** Hours after the assistant's reply during which a reopen or a request for a human counts against it. */
export const DEFAULT_WINDOW_HOURS = 72;

/**
 * What became of an answer the assistant sent:
 * - `confirmed`: the customer said it solved the problem;
 * - `reopened`: the ticket reopened within the window;
 * - `asked_for_human`: the customer asked for a person within the window;
 * - `marked_wrong`: an agent marked the answer wrong within the window;
 * - `no_reply`: the window passed quietly (assumed resolved, counted apart from `confirmed`);
 * - `pending`: the window is not over and nothing happened yet.
 */
export const AI_OUTCOMES = ['confirmed', 'reopened', 'asked_for_human', 'marked_wrong', 'no_reply', 'pending'] as const;
export const AiOutcomeSchema = z.enum(AI_OUTCOMES);
export type AiOutcome = z.infer<typeof AiOutcomeSchema>;

/** Outcomes that count as a successful AI resolution. */
export const SUCCESSFUL_OUTCOMES: readonly AiOutcome[] = ['confirmed', 'no_reply'];
/** Outcomes that count against the assistant's answer. */
export const FAILED_OUTCOMES: readonly AiOutcome[] = ['reopened', 'asked_for_human', 'marked_wrong'];

/** One timeline event, as the outcome and metrics functions read it. */
export interface TimelineFact {
  type: string;
  actorType: ActorType;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** The classified outcome of one AI-answered ticket. */
export interface OutcomeVerdict {
  outcome: AiOutcome;
  /** When the assistant's first public reply was sent. */
  answeredAt: Date;
  /** When the deciding signal happened (the window's end for `no_reply`, null while pending). */
  at: Date | null;
}

/** The `outcome` of an `outcome.recorded` event, else undefined. */
export const outcomeOf = (e: TimelineFact): string | undefined =>
  e.type === 'outcome.recorded' ? (e.data.outcome as string | undefined) : undefined;

/** Whether a person did it (an agent's session or an API key used by the team), not the assistant or the system. */
export const byPerson = (e: TimelineFact): boolean => e.actorType === 'agent' || e.actorType === 'integration';

/** When the assistant first replied publicly on the ticket, or null when it never did. */
export function aiAnsweredAt(timeline: TimelineFact[]): Date | null {
  const reply = timeline.find(
    (e) => e.type === 'message.created' && e.data.authorType === 'assistant' && e.data.visibility === 'public',
  );
  return reply?.createdAt ?? null;
}

/**
 * Classifies what became of the assistant's answer on one ticket from its timeline (oldest first): the
 * first negative signal within the window wins, then a confirmation, then the window's end. Returns null
 * when the assistant never answered.
 *
 * @example classifyOutcome(timeline, { now: new Date(), windowHours: 72 })?.outcome // 'no_reply'
 */
export function classifyOutcome(
  timeline: TimelineFact[],
  opts: { now: Date; windowHours?: number },
): OutcomeVerdict | null {
  const answeredAt = aiAnsweredAt(timeline);
  if (!answeredAt) return null;
  const windowEnd = new Date(answeredAt.getTime() + (opts.windowHours ?? DEFAULT_WINDOW_HOURS) * 3_600_000);
  const within = timeline.filter(
    (e) => e.createdAt >= answeredAt && e.createdAt <= windowEnd && e.createdAt <= opts.now,
  );
  for (const e of within) {
    if (e.type === 'ticket.reopened') return { outcome: 'reopened', answeredAt, at: e.createdAt };
    if (outcomeOf(e) === 'asked_for_human') return { outcome: 'asked_for_human', answeredAt, at: e.createdAt };
    if (outcomeOf(e) === 'ai_answer_wrong') return { outcome: 'marked_wrong', answeredAt, at: e.createdAt };
  }
  const confirmed = within.find((e) => outcomeOf(e) === 'confirmed_solved');
  if (confirmed) return { outcome: 'confirmed', answeredAt, at: confirmed.createdAt };
  return opts.now > windowEnd
    ? { outcome: 'no_reply', answeredAt, at: windowEnd }
    : { outcome: 'pending', answeredAt, at: null };
}

/** Parses input with a schema, failing with `validation_failed` and the field issues. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new DeskmindError(
    'validation_failed',
    parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  );
}

/** A customer-satisfaction rating (1..5) with an optional comment. */
export const CsatInputSchema = z
  .object({ rating: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() })
  .strict();
export type CsatInput = z.infer<typeof CsatInputSchema>;

/**
 * Records the customer's satisfaction rating on a ticket as `outcome.recorded {outcome: 'csat', rating}`,
 * performed by the ticket's customer. Works on closed tickets too (surveys come late); the latest rating
 * of a ticket is the one that counts.
 *
 * @example await recordCsat(ctx, ticketId, 5, 'Quick and clear')
 */
export async function recordCsat(
  ctx: Ctx,
  ticketId: string,
  rating: number,
  comment?: string,
): Promise<{ ticketId: string; rating: number; comment: string | null }> {
  const input = parseInput(CsatInputSchema, { rating, ...(comment !== undefined ? { comment } : {}) });
  const ticket = await getTicket(ctx, ticketId);
  const customer = { ...ctx, actor: { type: 'customer' as const, id: ticket.customerId } };
  await appendEvent(customer, 'outcome.recorded', ticketId, {
    outcome: 'csat',
    rating: input.rating,
    ...(input.comment ? { comment: input.comment } : {}),
  });
  return { ticketId, rating: input.rating, comment: input.comment ?? null };
}

/** Event types the outcome, tuning and metrics functions read. */
const FACT_EVENTS = [
  'message.created',
  'ticket.reopened',
  'ticket.resolved',
  'ticket.handed_off',
  'ticket.routed',
  'team.changed',
  'assignee.changed',
  'ticket.intent_changed',
  'outcome.recorded',
];

/** One ticket with the parts of its timeline and decision record the learning and metrics code needs. */
export interface TicketFacts {
  id: string;
  createdAt: Date;
  intent: string | null;
  tier: string | null;
  firstResponseAt: Date | null;
  timeline: TimelineFact[];
  /** The assistant's first intent prediction (understand stage) and the model that made it. */
  predicted: {
    intent: string | null;
    topIntent: string | null;
    confidence: number | null;
    modelVersion: string | null;
    at: Date;
  } | null;
  /** The decide stage that let the assistant answer (or draft): the intent, its confidence and the threshold. */
  decided: {
    intent: string | null;
    confidence: number | null;
    threshold: number | null;
    decision: string;
    at: Date;
  } | null;
}

/**
 * Loads the workspace's tickets created in [from, to) with their relevant timeline and decision record,
 * in four workspace-scoped queries.
 */
export async function loadTicketFacts(ctx: Ctx, range: { from: Date; to: Date }): Promise<TicketFacts[]> {
  const inRange = and(
    eq(tickets.workspaceId, ctx.workspaceId),
    gte(tickets.createdAt, range.from),
    lt(tickets.createdAt, range.to),
  );
  const rows = await ctx.db
    .select({
      id: tickets.id,
      createdAt: tickets.createdAt,
      intent: tickets.intent,
      tier: accounts.tier,
      firstResponseAt: tickets.firstResponseAt,
    })
    .from(tickets)
    .leftJoin(customers, eq(customers.id, tickets.customerId))
    .leftJoin(accounts, eq(accounts.id, customers.accountId))
    .where(inRange)
    .orderBy(asc(tickets.createdAt), asc(tickets.id));
  if (!rows.length) return [];
  const evs = await ticketFactEvents(ctx.db, ctx.workspaceId, { createdIn: range }, FACT_EVENTS);
  const where = { workspaceId: ctx.workspaceId, ticketsCreatedIn: range };
  const understood = await stageDecisions(ctx.db, 'understand', where, 'oldest');
  const decided = await stageDecisions(ctx.db, 'decide', where, 'oldest');
  const facts = new Map<string, TicketFacts>(
    rows.map((r) => [r.id, { ...r, timeline: [], predicted: null, decided: null }]),
  );
  for (const e of evs) facts.get(e.ticketId!)?.timeline.push(e);
  for (const d of understood) {
    const f = facts.get(d.ticketId);
    if (!f || f.predicted) continue;
    const p = d.result.intent;
    f.predicted = {
      intent: p?.intent ?? null,
      topIntent: p?.topIntent ?? p?.intent ?? null,
      confidence: p?.confidence ?? null,
      modelVersion: d.modelVersion,
      at: d.createdAt,
    };
  }
  for (const d of decided) {
    const f = facts.get(d.ticketId);
    if (!f || f.decided || (d.result.decision !== 'resolve' && d.result.decision !== 'draft')) continue;
    const confident = d.result.checks.find((c) => c.check === 'intent_confident');
    const scope = d.result.checks.find((c) => c.check === 'in_scope');
    f.decided = {
      intent: typeof scope?.value === 'string' ? scope.value : null,
      confidence: typeof confident?.value === 'number' ? confident.value : null,
      threshold: d.result.threshold,
      decision: d.result.decision,
      at: d.createdAt,
    };
  }
  return [...facts.values()];
}
