import { and, eq, isNotNull, isNull, or } from 'drizzle-orm';
import { OPEN_TICKET_STATUSES, PRIORITIES, type EventType } from '../domain/enums.js';
import { applyAssignment, assignActionOf } from '../routing/apply.js';
import { loadTicketFacts } from '../routing/facts.js';
import { accountOwnerOf, loadRoutingSnapshot, type RoutingSnapshot } from '../routing/port.js';
import { recordAssignment, route, withinWorkingHours } from '../routing/router.js';
import { systemActor, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { updateTicket } from '../tickets/update-ticket.js';
import { getWorkspace } from '../people/get-workspace.js';
import { tickets, type TicketRow } from '../store/schema.js';
import { scanTickets } from '../store/repos/tickets.js';
import { businessMinutesBetween } from './business-time.js';
import { calendarOf, slaOf, type SlaSettings } from './settings.js';

/**
 * Timeline events of the SLA. (Add `'sla.at_risk'` and `'sla.breached'` to `EVENT_TYPES` in
 * src/domain/enums.ts; the casts then go.)
 */
export const SLA_AT_RISK = 'sla.at_risk' satisfies EventType;
export const SLA_BREACHED = 'sla.breached' satisfies EventType;

/** Statuses the sweep escalates (pending and snoozed tickets wait for the customer). */
export const ESCALATED_STATUSES = ['new', 'open'] as const;
/** Statuses whose breaches the sweep records: every open one. */
const WATCHED_STATUSES = OPEN_TICKET_STATUSES;
const BATCH = 1000;

type Row = TicketRow;
type TargetKind = 'first_response' | 'resolution';
interface Target {
  kind: TargetKind;
  dueAt: Date;
  breachedAt: Date | null;
}

/** The targets still running on a ticket (not yet replied to / resolved; the resolution clock not paused). */
const runningTargets = (row: Row): Target[] => [
  ...(row.firstResponseDueAt && !row.firstResponseAt
    ? [{ kind: 'first_response' as const, dueAt: row.firstResponseDueAt, breachedAt: row.firstResponseBreachedAt }]
    : []),
  ...(row.resolutionDueAt && !row.resolvedAt && !row.slaPausedAt
    ? [{ kind: 'resolution' as const, dueAt: row.resolutionDueAt, breachedAt: row.resolutionBreachedAt }]
    : []),
];

/**
 * Business minutes left before a target is due, and whether that is within the at-risk window: the
 * larger of `atRisk.fraction` of the target (counted from the ticket's creation) and `atRisk.minutes`.
 */
export function riskOf(
  row: Pick<Row, 'createdAt' | 'slaPolicy'>,
  dueAt: Date,
  now: Date,
  settings: SlaSettings,
): { leftMinutes: number; atRisk: boolean } {
  const policy = settings.policies.find((p) => p.name === row.slaPolicy) ?? null;
  const calendar = calendarOf(settings, policy);
  const leftMinutes = businessMinutesBetween(now, dueAt, calendar);
  const window = Math.max(
    settings.atRisk.fraction * businessMinutesBetween(row.createdAt, dueAt, calendar),
    settings.atRisk.minutes,
  );
  return { leftMinutes, atRisk: leftMinutes <= window };
}

/** What the sweep did in one workspace. */
export interface SlaSweepResult {
  escalated: number;
  breached: number;
}

/**
 * The SLA sweep of one workspace: a new or open ticket whose first response or resolution falls due
 * within the at-risk window is escalated once, before the breach: its priority goes up one step, it is
 * routed again when its assignee is offline, away or off shift (or it has none), `sla.at_risk` is
 * appended and `slaEscalatedAt` set. A target past its due time is recorded once as `sla.breached`
 * (with `firstResponseBreachedAt` / `resolutionBreachedAt`). Events are the system's. Call inside a
 * transaction, from the periodic sweep.
 */
export async function sweepSla(ctx: Ctx, now: Date = ctx.now()): Promise<SlaSweepResult> {
  const system: Ctx = { ...ctx, actor: systemActor, now: () => now };
  const rows = await scanTickets(ctx.db, ctx.workspaceId, {
    statuses: WATCHED_STATUSES,
    where: or(
      and(
        isNull(tickets.firstResponseAt),
        isNotNull(tickets.firstResponseDueAt),
        or(isNull(tickets.slaEscalatedAt), isNull(tickets.firstResponseBreachedAt)),
      ),
      and(
        isNull(tickets.resolvedAt),
        isNotNull(tickets.resolutionDueAt),
        or(isNull(tickets.slaEscalatedAt), isNull(tickets.resolutionBreachedAt)),
      ),
    ),
    order: 'nextDue',
    limit: BATCH,
    lock: true,
  });
  if (!rows.length) return { escalated: 0, breached: 0 };
  const settings = slaOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
  let snapshot: RoutingSnapshot | null = null;
  const result: SlaSweepResult = { escalated: 0, breached: 0 };
  for (const row of rows) {
    const targets = runningTargets(row);
    const breached = targets.filter((t) => now.getTime() > t.dueAt.getTime() && !t.breachedAt);
    const escalable = !row.slaEscalatedAt && (ESCALATED_STATUSES as readonly string[]).includes(row.status);
    const risky = escalable
      ? targets.map((t) => ({ ...t, ...riskOf(row, t.dueAt, now, settings) })).find((t) => t.atRisk)
      : undefined;
    if (risky) {
      snapshot ??= await loadRoutingSnapshot(ctx.db, ctx.workspaceId);
      snapshot = await escalate(system, row, risky, snapshot);
      result.escalated++;
    }
    for (const t of breached) {
      const column = t.kind === 'first_response' ? { firstResponseBreachedAt: now } : { resolutionBreachedAt: now };
      await ctx.db.update(tickets).set(column).where(eq(tickets.id, row.id));
      await appendEvent(system, SLA_BREACHED, row.id, {
        target: t.kind,
        dueAt: t.dueAt.toISOString(),
        overdueMinutes: Math.floor((now.getTime() - t.dueAt.getTime()) / 60_000),
        policy: row.slaPolicy,
      });
      result.breached++;
    }
  }
  return result;
}

/** Escalates one at-risk ticket (see `sweepSla`); returns the routing snapshot with any new assignment counted. */
async function escalate(
  ctx: Ctx,
  row: Row,
  target: Target & { leftMinutes: number },
  snapshot: RoutingSnapshot,
): Promise<RoutingSnapshot> {
  const now = ctx.now();
  const rank = PRIORITIES.indexOf(row.priority);
  const priority = PRIORITIES[Math.min(rank + 1, PRIORITIES.length - 1)]!;
  if (priority !== row.priority) await updateTicket(ctx, row.id, { priority });
  const assignee = row.assigneeId ? snapshot.agents.find((a) => a.id === row.assigneeId) : undefined;
  const unavailable = !assignee
    ? 'unassigned'
    : assignee.status !== 'online'
      ? assignee.status
      : snapshot.settings.respectWorkingHours && !withinWorkingHours(assignee.workingHours, now).ok
        ? 'off shift'
        : null;
  let rerouted: { agentId: string | null; teamId: string | null; why: string } | null = null;
  if (unavailable) {
    const facts = (await loadTicketFacts(ctx.db, ctx.workspaceId, [{ ...row, priority }])).get(row.id)!;
    const agents = snapshot.agents.map((a) => (a.id === row.assigneeId ? { ...a, status: 'offline' as const } : a));
    const decision = route({
      ...snapshot,
      agents,
      ticket: facts.facts,
      accountOwnerId: await accountOwnerOf(ctx.db, ctx.workspaceId, facts.accountAttributes),
      now,
    });
    // Only move the ticket when someone can take it; otherwise it stays where it is, now more urgent.
    const applied = decision.agentId
      ? await applyAssignment(ctx, row.id, assignActionOf(decision), {
          expectAssignee: row.assigneeId,
          reason: 'sla_at_risk',
        })
      : null;
    rerouted = {
      agentId: applied?.agentId ?? null,
      teamId: applied?.teamId ?? row.teamId,
      why: applied?.explanation.why ?? decision.why,
    };
    if (applied?.agentId) snapshot = { ...snapshot, agents: recordAssignment(snapshot.agents, applied.agentId, now) };
  }
  await ctx.db.update(tickets).set({ slaEscalatedAt: now }).where(eq(tickets.id, row.id));
  await appendEvent(ctx, SLA_AT_RISK, row.id, {
    target: target.kind,
    dueAt: target.dueAt.toISOString(),
    leftMinutes: Math.round(target.leftMinutes),
    policy: row.slaPolicy,
    priority: { from: row.priority, to: priority },
    assignee: unavailable ? { id: row.assigneeId, unavailable } : { id: row.assigneeId, unavailable: null },
    rerouted,
  });
  return snapshot;
}
