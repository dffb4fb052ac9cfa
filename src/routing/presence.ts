import type { AgentStatus } from '../domain/enums.js';
import { DeskmindError } from '../domain/errors.js';
import type { Agent } from '../domain/schemas.js';
import type { Principal } from '../people/principal.js';
import { updateAgent } from '../people/update-agent.js';
import { inTransaction, systemActor, type Ctx } from '../store/ctx.js';
import { getTicket } from '../tickets/get-ticket.js';
import { scanTickets } from '../store/repos/tickets.js';
import type { TicketRow } from '../store/schema.js';
import { applyAssignment, assignActionOf } from './apply.js';
import { loadTicketFacts } from './facts.js';
import { accountOwnerOf, loadRoutingSnapshot, type RoutingSnapshot } from './port.js';
import { recordAssignment, route } from './router.js';
import type { RoutingDecision } from './schemas.js';

/** Statuses of the tickets an agent going offline gives back (pending and snoozed ones wait for the customer). */
export const REDISTRIBUTED_STATUSES = ['new', 'open'] as const;

/** One ticket handed back by an agent who went offline, and where it went. */
export interface Redistributed {
  ticketId: string;
  teamId: string | null;
  agentId: string | null;
  why: string;
}

/**
 * Hands back the new and open tickets of an agent who went offline: each is unassigned and routed again
 * within its team (rules, skills, language, capacity and owners apply as usual), with a `ticket.routed`
 * event explaining where it went. The routing events are the system's. Call inside a transaction.
 */
export async function redistributeOnOffline(ctx: Ctx, agentId: string): Promise<Redistributed[]> {
  const rows = await scanTickets(ctx.db, ctx.workspaceId, {
    statuses: REDISTRIBUTED_STATUSES,
    assigneeId: agentId,
    order: 'oldest',
  });
  if (!rows.length) return [];
  const snapshot = await loadRoutingSnapshot(ctx.db, ctx.workspaceId);
  const agents = snapshot.agents.map((a) => (a.id === agentId ? { ...a, status: 'offline' as const } : a));
  return routeEach(
    ctx,
    rows,
    { ...snapshot, agents },
    { expectAssignee: agentId, reason: 'agent_offline', onlyToAnAgent: false },
  );
}

/**
 * Routes `rows` again one after another as the system, counting each assignment in the snapshot's agents
 * before the next ticket; with `onlyToAnAgent`, a ticket nobody can take is left as it is.
 */
async function routeEach(
  ctx: Ctx,
  rows: TicketRow[],
  snapshot: RoutingSnapshot,
  opts: { expectAssignee: string | null; reason: string; onlyToAnAgent: boolean },
): Promise<Redistributed[]> {
  const facts = await loadTicketFacts(ctx.db, ctx.workspaceId, rows);
  let agents = snapshot.agents;
  const system: Ctx = { ...ctx, actor: systemActor };
  const out: Redistributed[] = [];
  for (const row of rows) {
    const { facts: ticket, accountAttributes } = facts.get(row.id)!;
    const decision = route({
      ...snapshot,
      agents,
      ticket,
      accountOwnerId: await accountOwnerOf(ctx.db, ctx.workspaceId, accountAttributes),
      now: ctx.now(),
    });
    if (opts.onlyToAnAgent && !decision.agentId) continue;
    const applied = await applyAssignment(system, row.id, assignActionOf(decision), {
      expectAssignee: opts.expectAssignee,
      reason: opts.reason,
    });
    if (!applied || (opts.onlyToAnAgent && !applied.agentId)) continue;
    agents = recordAssignment(agents, applied.agentId, ctx.now());
    out.push({ ticketId: row.id, teamId: applied.teamId, agentId: applied.agentId, why: applied.explanation.why });
  }
  return out;
}

/** Tickets one pass of `assignQueued` looks at. */
const QUEUE_PASS = 100;

/**
 * Assigns tickets waiting in a team queue (a team, no assignee, new or open), oldest first, to agents who
 * have room now: each goes through the router as usual (rules, skills, language, capacity, owners, the
 * `autoAssign` setting) and gets a `ticket.routed` event (reason `queue`); a ticket nobody can take keeps
 * waiting. Only the queues of `teamIds` when given. Runs when an agent comes online and on every sweep
 * (an agent whose tickets were resolved has room again). Call inside a transaction.
 */
export async function assignQueued(ctx: Ctx, opts: { teamIds?: string[] } = {}): Promise<Redistributed[]> {
  if (opts.teamIds && !opts.teamIds.length) return [];
  const rows = await scanTickets(ctx.db, ctx.workspaceId, {
    statuses: REDISTRIBUTED_STATUSES,
    assigneeId: null,
    teamIds: opts.teamIds ?? 'any',
    order: 'oldest',
    limit: QUEUE_PASS,
  });
  if (!rows.length) return [];
  const snapshot = await loadRoutingSnapshot(ctx.db, ctx.workspaceId);
  if (!snapshot.settings.autoAssign || !snapshot.agents.some((a) => a.status === 'online' && a.load < a.capacity))
    return [];
  return routeEach(ctx, rows, snapshot, { expectAssignee: null, reason: 'queue', onlyToAnAgent: true });
}

/**
 * Sets an agent's presence: going offline hands their open tickets back to their teams; coming online
 * takes tickets waiting in their teams' queues. Call inside a transaction.
 */
export async function setPresence(
  ctx: Ctx,
  agentId: string,
  status: AgentStatus,
): Promise<{ agent: Agent; redistributed: Redistributed[]; assigned: Redistributed[] }> {
  const agent = await updateAgent(ctx, agentId, { status });
  return {
    agent,
    redistributed: status === 'offline' ? await redistributeOnOffline(ctx, agentId) : [],
    assigned: status === 'online' ? await assignQueued(ctx, { teamIds: agent.teamIds }) : [],
  };
}

/**
 * A person sets an agent's presence (`setPresence`), in one transaction: admins anyone's, an agent only their own.
 */
export async function changePresence(
  ctx: Ctx,
  by: Principal,
  agentId: string,
  status: AgentStatus,
): Promise<{ agent: Agent; redistributed: Redistributed[]; assigned: Redistributed[] }> {
  const own = by.kind === 'agent' && by.agentId === agentId;
  if (by.role !== 'admin' && !own) throw new DeskmindError('forbidden', 'Agents may set only their own presence');
  return inTransaction(ctx, (ctx) => setPresence(ctx, agentId, status));
}

/** How the router would route a ticket now, from scratch (ignoring its current team), changing nothing: for trying
 * rules and settings. */
export async function explainRouting(ctx: Ctx, ticketId: string): Promise<RoutingDecision> {
  const ticket = await getTicket(ctx, ticketId);
  const [snapshot, facts] = await Promise.all([
    loadRoutingSnapshot(ctx.db, ctx.workspaceId),
    loadTicketFacts(ctx.db, ctx.workspaceId, [ticket]),
  ]);
  const { facts: t, accountAttributes } = facts.get(ticketId)!;
  return route({
    ...snapshot,
    ticket: { ...t, teamId: null },
    accountOwnerId: await accountOwnerOf(ctx.db, ctx.workspaceId, accountAttributes),
    now: ctx.now(),
  });
}
