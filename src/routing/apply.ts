import { and, count, eq, inArray } from 'drizzle-orm';
import type { EventType } from '../domain/enums.js';
import type { Ctx } from '../services/context.js';
import { appendEvent } from '../services/events.js';
import { updateTicket } from '../services/tickets.js';
import { agents, ticketColumns, tickets, type TicketRow } from '../store/schema.js';
import { LOAD_STATUSES } from './port.js';
import type { RoutingDecision } from './schemas.js';

/**
 * The event that explains a routing decision on a ticket's timeline.
 * (Add `'ticket.routed'` to `EVENT_TYPES` in src/domain/enums.ts; the cast then goes.)
 */
export const TICKET_ROUTED = 'ticket.routed' satisfies EventType;

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
 * the explanation. The agent's row is locked and their load counted again, so concurrent routings never
 * push an agent over capacity (the ticket then stays in the team queue). Does nothing, and returns null,
 * when the ticket is gone, closed, or its assignee is no longer `expectAssignee` (someone assigned it
 * meanwhile); otherwise returns the action as applied. Call inside a transaction.
 *
 * @example await applyAssignment(ctx, ticketId, assignActionOf(route(input)), { expectAssignee: null });
 */
export async function applyAssignment(
  ctx: Ctx,
  ticketId: string,
  action: AssignAction,
  opts: { expectAssignee: string | null; reason?: string; locked?: TicketRow },
): Promise<AssignAction | null> {
  const [row] = opts.locked
    ? [opts.locked]
    : await ctx.db.select(ticketColumns).from(tickets).where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, ticketId))).for('update');
  if (!row || row.status === 'closed' || row.assigneeId !== opts.expectAssignee) return null;
  const applied = action.agentId && !(await hasRoom(ctx, action.agentId)) ? filledUp(action) : action;
  const teamId = applied.teamId ?? row.teamId;
  if (teamId !== row.teamId || applied.agentId !== row.assigneeId) await updateTicket(ctx, ticketId, { teamId, assigneeId: applied.agentId }, { locked: row });
  const { teamId: _t, agentId: _a, ...explanation } = applied.explanation;
  await appendEvent(ctx, TICKET_ROUTED, ticketId, { reason: opts.reason ?? 'handed_off', teamId, agentId: applied.agentId, previousAssigneeId: row.assigneeId, ...explanation });
  return applied;
}

/** Whether the agent (row locked until the transaction ends) has room for one more ticket. */
async function hasRoom(ctx: Ctx, agentId: string): Promise<boolean> {
  const [agent] = await ctx.db.select({ capacity: agents.capacity }).from(agents).where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, agentId))).for('update');
  if (!agent) return false;
  const [load] = await ctx.db
    .select({ n: count() })
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.assigneeId, agentId), inArray(tickets.status, [...LOAD_STATUSES])));
  return (load?.n ?? 0) < agent.capacity;
}

/** The action without its agent, who filled up (or left) between routing and applying. */
function filledUp(action: AssignAction): AssignAction {
  const name = action.explanation.candidates.find((c) => c.agentId === action.agentId)?.name ?? 'The agent';
  const why = `${action.explanation.why} ${name} filled up meanwhile, so the ticket waits in the team queue.`;
  return { ...action, agentId: null, explanation: { ...action.explanation, agentId: null, why } };
}
