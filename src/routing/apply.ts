import { and, count, eq, inArray } from 'drizzle-orm';
import type { EventType } from '../domain/enums.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { agents, ticketColumns, tickets, type TicketRow } from '../store/schema.js';
import { LOAD_STATUSES } from './port.js';
import type { RoutingDecision } from './schemas.js';

/** The event that explains a routing decision on a ticket's timeline. */
export const TICKET_ROUTED = 'ticket.routed' satisfies EventType;

/** The action the route stage asks the runner to apply. */
export interface AssignAction {
  type: 'assign';
  teamId: string | null;
  agentId: string | null;
  explanation: RoutingDecision;
}

/** The assign action of a routing decision. */
export const assignActionOf = (decision: RoutingDecision): AssignAction => ({
  type: 'assign',
  teamId: decision.teamId,
  agentId: decision.agentId,
  explanation: decision,
});

/**
 * Applies a routing decision to a ticket: its team (kept when the decision has none) and assignee, with
 * `assignee.changed` / `team.changed` events and a `ticket.routed` event with the explanation. The agent's
 * row is locked and their load counted again, so concurrent routings never push an agent over capacity (the
 * ticket then stays in the team queue). Does nothing, and returns null, when the ticket is gone, closed, or
 * its assignee is no longer `expectAssignee` (someone assigned it meanwhile); otherwise returns the action as
 * applied. Call inside a transaction.
 *
 * @example await applyAssignment(ctx, ticketId, assignActionOf(route(input)), { expectAssignee: null });
 */
export async function applyAssignment(
  ctx: Ctx,
  ticketId: string,
  action: AssignAction,
  opts: { expectAssignee: string | null; reason?: string },
): Promise<AssignAction | null> {
  const [row] = await ctx.db
    .select(ticketColumns)
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, ticketId)))
    .for('update');
  if (!row || row.status === 'closed' || row.assigneeId !== opts.expectAssignee) return null;
  const room = await agentRoom(ctx, action.agentId ? [action.agentId] : []);
  const { applied, set } = await planAssignment(ctx, row, action, room, opts.reason ?? 'handed_off');
  if (Object.keys(set).length) await ctx.db.update(tickets).set(set).where(eq(tickets.id, ticketId));
  return applied;
}

/**
 * What applying a routing decision to a ticket (its row locked by the caller) writes: the events, appended
 * here, and the ticket's fields to set, returned for the caller to write with its other changes. The agent
 * is assigned only when `room` has a place for them.
 */
export async function planAssignment(
  ctx: Ctx,
  row: Pick<TicketRow, 'id' | 'teamId' | 'assigneeId'>,
  action: AssignAction,
  room: AgentRoom,
  reason: string,
): Promise<{ applied: AssignAction; set: Partial<Pick<TicketRow, 'teamId' | 'assigneeId' | 'updatedAt'>> }> {
  const applied = action.agentId && !room.take(action.agentId) ? filledUp(action) : action;
  const teamId = applied.teamId ?? row.teamId;
  const set: Partial<Pick<TicketRow, 'teamId' | 'assigneeId' | 'updatedAt'>> = {};
  if (applied.agentId !== row.assigneeId) {
    set.assigneeId = applied.agentId;
    await appendEvent(ctx, 'assignee.changed', row.id, { from: row.assigneeId, to: applied.agentId });
  }
  if (teamId !== row.teamId) {
    set.teamId = teamId;
    await appendEvent(ctx, 'team.changed', row.id, { from: row.teamId, to: teamId });
  }
  if (Object.keys(set).length) set.updatedAt = ctx.now();
  const { teamId: _t, agentId: _a, ...explanation } = applied.explanation;
  await appendEvent(ctx, TICKET_ROUTED, row.id, {
    reason,
    teamId,
    agentId: applied.agentId,
    previousAssigneeId: row.assigneeId,
    ...explanation,
  });
  return { applied, set };
}

/** The room agents have for more tickets, as counted when it was read; `take` reserves a place. */
export interface AgentRoom {
  take(agentId: string): boolean;
}

/**
 * Locks the agents' rows (in id order, until the transaction ends) and counts their loads, in two statements
 * whatever their number: an agent who does not exist has no room.
 */
export async function agentRoom(ctx: Ctx, agentIds: readonly string[]): Promise<AgentRoom> {
  const ids = [...new Set(agentIds)].sort();
  const free = new Map<string, number>();
  if (ids.length) {
    const rows = await ctx.db
      .select({ id: agents.id, capacity: agents.capacity })
      .from(agents)
      .where(and(eq(agents.workspaceId, ctx.workspaceId), inArray(agents.id, ids)))
      .orderBy(agents.id)
      .for('update');
    const loads = rows.length
      ? await ctx.db
          .select({ agentId: tickets.assigneeId, n: count() })
          .from(tickets)
          .where(
            and(
              eq(tickets.workspaceId, ctx.workspaceId),
              inArray(
                tickets.assigneeId,
                rows.map((r) => r.id),
              ),
              inArray(tickets.status, [...LOAD_STATUSES]),
            ),
          )
          .groupBy(tickets.assigneeId)
      : [];
    for (const r of rows) free.set(r.id, r.capacity - (loads.find((l) => l.agentId === r.id)?.n ?? 0));
  }
  return {
    take(agentId) {
      const n = free.get(agentId) ?? 0;
      if (n <= 0) return false;
      free.set(agentId, n - 1);
      return true;
    },
  };
}

/** The action without its agent, who filled up (or left) between routing and applying. */
function filledUp(action: AssignAction): AssignAction {
  const name = action.explanation.candidates.find((c) => c.agentId === action.agentId)?.name ?? 'The agent';
  const why = `${action.explanation.why} ${name} filled up meanwhile, so the ticket waits in the team queue.`;
  return { ...action, agentId: null, explanation: { ...action.explanation, agentId: null, why } };
}
