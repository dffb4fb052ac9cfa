import { and, eq } from 'drizzle-orm';
import type { EventType } from '../domain/enums.js';
import type { Ctx } from '../services/context.js';
import { appendEvent } from '../services/events.js';
import { updateTicket } from '../services/tickets.js';
import { tickets } from '../store/schema.js';
import type { RoutingDecision } from './schemas.js';

/**
 * The event that explains a routing decision on a ticket's timeline.
 * (Add `'ticket.routed'` to `EVENT_TYPES` in src/domain/enums.ts; the cast then goes.)
 */
export const TICKET_ROUTED = 'ticket.routed' as EventType;

/** The action the route stage asks the runner to apply. */
export interface AssignAction {
  type: 'assign';
  teamId: string | null;
  agentId: string | null;
  explanation: RoutingDecision;
}

/** The assign action of a routing decision. */
export const assignActionOf = (decision: RoutingDecision): AssignAction => ({ type: 'assign', teamId: decision.teamId, agentId: decision.agentId, explanation: decision });

/**
 * Applies a routing decision to a ticket: its team (kept when the decision has none) and assignee, through
 * `updateTicket` (so `team.changed` / `assignee.changed` are recorded), then a `ticket.routed` event with
 * the explanation. Does nothing, and returns false, when the ticket is gone, closed, or its assignee is no
 * longer `expectAssignee` (someone assigned it meanwhile). Call inside a transaction.
 *
 * @example await applyAssignment(ctx, ticketId, assignActionOf(route(input)), { expectAssignee: null });
 */
export async function applyAssignment(ctx: Ctx, ticketId: string, action: AssignAction, opts: { expectAssignee: string | null; reason?: string }): Promise<boolean> {
  const [row] = await ctx.db
    .select({ assigneeId: tickets.assigneeId, teamId: tickets.teamId, status: tickets.status })
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, ticketId)))
    .for('update');
  if (!row || row.status === 'closed' || row.assigneeId !== opts.expectAssignee) return false;
  const teamId = action.teamId ?? row.teamId;
  if (teamId !== row.teamId || action.agentId !== row.assigneeId) await updateTicket(ctx, ticketId, { teamId, assigneeId: action.agentId });
  const { teamId: _t, agentId: _a, ...explanation } = action.explanation;
  await appendEvent(ctx, TICKET_ROUTED, ticketId, { reason: opts.reason ?? 'handed_off', teamId, agentId: action.agentId, previousAssigneeId: row.assigneeId, ...explanation });
  return true;
}
