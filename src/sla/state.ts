import { and, eq } from 'drizzle-orm';
import type { Priority } from '../domain/enums.js';
import { notFound } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { getWorkspace } from '../people/get-workspace.js';
import { accounts, customers, ticketColumns, tickets } from '../store/schema.js';
import { addBusinessMinutes, businessMinutesBetween } from './business-time.js';
import type { SlaState, SlaTargetState } from './schemas.js';
import { calendarOf, matchPolicy, slaOf } from './settings.js';

/** The ticket fields the SLA reads. */
export type SlaFields = Pick<
  typeof tickets.$inferSelect,
  | 'slaPolicy'
  | 'firstResponseDueAt'
  | 'resolutionDueAt'
  | 'firstResponseAt'
  | 'resolvedAt'
  | 'closedAt'
  | 'slaEscalatedAt'
  | 'slaPausedAt'
>;

const MINUTE = 60_000;

/** One target's state: met when done by the due time, breached when done late or still open past it. */
export function targetState(dueAt: Date | null, doneAt: Date | null, now: Date): SlaTargetState {
  if (!dueAt) return { dueAt: null, met: false, breached: false, remainingMinutes: null };
  const due = dueAt.getTime();
  return {
    dueAt,
    met: !!doneAt && doneAt.getTime() <= due,
    breached: (doneAt ?? now).getTime() > due,
    remainingMinutes: doneAt ? null : Math.floor((due - now.getTime()) / MINUTE),
  };
}

/**
 * A ticket's SLA at `now`: the first response is met by `firstResponseAt`, the resolution by `resolvedAt`
 * (or `closedAt` for a ticket closed without being resolved). While the resolution clock is paused (the
 * ticket waits on the customer) the resolution target stands as it was when the pause began. Pure.
 */
export function slaState(ticket: SlaFields, now: Date): SlaState {
  return {
    policy: ticket.slaPolicy,
    firstResponse: targetState(ticket.firstResponseDueAt, ticket.firstResponseAt, now),
    resolution: targetState(ticket.resolutionDueAt, ticket.resolvedAt ?? ticket.closedAt, ticket.slaPausedAt ?? now),
    escalatedAt: ticket.slaEscalatedAt,
    pausedSince: ticket.slaPausedAt,
  };
}

/** Statuses in which a ticket waits on the customer: its resolution clock does not run. */
export const SLA_PAUSED_STATUSES: readonly string[] = ['pending', 'snoozed'];

type PauseFields = Pick<
  typeof tickets.$inferSelect,
  'resolutionDueAt' | 'resolvedAt' | 'slaPausedAt' | 'slaPausedMinutes' | 'slaPolicy'
>;

/** The SLA fields of a ticket that starts waiting on the customer: its resolution clock pauses now. */
export function pauseSla(row: PauseFields, now: Date): Partial<PauseFields> {
  return row.resolutionDueAt && !row.resolvedAt && !row.slaPausedAt ? { slaPausedAt: now } : {};
}

/**
 * The SLA fields of a ticket that stops waiting on the customer: the business minutes it waited (in its
 * policy's calendar) are added to the paused total and its resolution due time moves by as much.
 */
export async function resumeSla(ctx: Ctx, row: PauseFields, now: Date): Promise<Partial<PauseFields>> {
  if (!row.slaPausedAt) return {};
  if (!row.resolutionDueAt) return { slaPausedAt: null };
  const settings = slaOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
  const calendar = calendarOf(settings, settings.policies.find((p) => p.name === row.slaPolicy) ?? null);
  const minutes = Math.max(0, Math.round(businessMinutesBetween(row.slaPausedAt, now, calendar)));
  return {
    slaPausedAt: null,
    slaPausedMinutes: row.slaPausedMinutes + minutes,
    resolutionDueAt: addBusinessMinutes(row.resolutionDueAt, minutes, calendar),
  };
}

/**
 * Computes and stores a ticket's SLA policy and due times from its account's tier (the workspace's default
 * tier without one) and its priority, counted from when the ticket was created. Call after creating a
 * ticket and after a person or the pipeline changes its priority (not for the SLA sweep's own escalation,
 * which keeps the due times). Returns the ticket's SLA state. Call inside a transaction.
 */
export async function applySla(ctx: Ctx, ticketId: string): Promise<SlaState> {
  const [row] = await ctx.db
    .select({ ticket: ticketColumns, tier: accounts.tier })
    .from(tickets)
    .leftJoin(customers, eq(customers.id, tickets.customerId))
    .leftJoin(accounts, eq(accounts.id, customers.accountId))
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, ticketId)));
  if (!row) throw notFound('Ticket', ticketId);
  const set = await slaTargets(ctx, row.tier, row.ticket.priority, row.ticket.createdAt, row.ticket.slaPausedMinutes);
  await ctx.db.update(tickets).set(set).where(eq(tickets.id, ticketId));
  return slaState({ ...row.ticket, ...set }, ctx.now());
}

/**
 * The SLA policy and due times of a ticket of an account's `tier` (null: the workspace's default tier) and
 * `priority`, created at `createdAt`, whose resolution clock was paused `pausedMinutes` business minutes so
 * far (what `applySla` stores; a new ticket is inserted with them).
 */
export async function slaTargets(
  ctx: Ctx,
  tier: string | null,
  priority: Priority,
  createdAt: Date,
  pausedMinutes = 0,
): Promise<Pick<SlaFields, 'slaPolicy' | 'firstResponseDueAt' | 'resolutionDueAt'>> {
  return slaTargetsOf(
    slaOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings),
    tier,
    priority,
    createdAt,
    pausedMinutes,
  );
}

/** `slaTargets` with the workspace's SLA settings already read (e.g. once for a group of new tickets). */
export function slaTargetsOf(
  settings: ReturnType<typeof slaOf>,
  tier: string | null,
  priority: Priority,
  createdAt: Date,
  pausedMinutes = 0,
): Pick<SlaFields, 'slaPolicy' | 'firstResponseDueAt' | 'resolutionDueAt'> {
  const policy = matchPolicy(settings, tier ?? settings.defaultTier, priority);
  const calendar = calendarOf(settings, policy);
  return {
    slaPolicy: policy?.name ?? null,
    firstResponseDueAt: policy ? addBusinessMinutes(createdAt, policy.firstResponseMinutes, calendar) : null,
    resolutionDueAt: policy ? addBusinessMinutes(createdAt, policy.resolutionMinutes + pausedMinutes, calendar) : null,
  };
}

/** A stored ticket's SLA state now. */
export async function getTicketSla(ctx: Ctx, ticketId: string): Promise<SlaState> {
  const [row] = await ctx.db
    .select(ticketColumns)
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, ticketId)));
  if (!row) throw notFound('Ticket', ticketId);
  return slaState(row, ctx.now());
}
