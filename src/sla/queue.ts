import { and, asc, eq, sql } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { accounts, customers, teamMembers, teams, ticketColumns, tickets } from '../store/schema.js';
import type { QueueItem, QueueQuery } from './schemas.js';
import { nextDueSql, priorityRankSql, ticketScanWhere } from '../store/repos/tickets.js';
import { slaState } from './state.js';

/** Statuses of the tickets in the queue. */
export const QUEUE_STATUSES = ['new', 'open', 'pending'] as const;

/**
 * The priority queue: new, open and pending tickets by urgency — priority, then the earliest SLA due
 * time still running, then age — each with its SLA state. Views: `mine` (the agent's, needs `agentId`),
 * `team` (`teamId`, else the agent's teams), `unassigned`, `all`; `teamId` narrows any view.
 */
export async function listQueue(ctx: Ctx, query: QueueQuery & { agentId?: string | null }): Promise<QueueItem[]> {
  const invalid = (path: string, message: string) =>
    new DeskmindError('validation_failed', message, { issues: [{ path, message }] });
  let teamIds: string[] | null = query.teamId ? [query.teamId] : null;
  if (query.view === 'mine' && !query.agentId) throw invalid('view', 'The "mine" view needs an agent session');
  if (query.view === 'team' && !teamIds) {
    if (!query.agentId) throw invalid('teamId', 'The "team" view needs a teamId, or an agent session');
    const rows = await ctx.db
      .select({ teamId: teamMembers.teamId })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .where(and(eq(teams.workspaceId, ctx.workspaceId), eq(teamMembers.agentId, query.agentId)));
    teamIds = rows.map((r) => r.teamId);
    if (!teamIds.length) return [];
  }
  const rows = await queueQuery(ctx, query, teamIds);
  const now = ctx.now();
  return rows.map(({ workspaceId: _w, customerName, customerEmail, accountName, accountTier, ...ticket }) => ({
    ...ticket,
    sla: slaState(ticket, now),
    customer: customerName || customerEmail ? { name: customerName, email: customerEmail } : null,
    account: accountName ? { name: accountName, tier: accountTier! } : null,
  }));
}

/** The query behind the queue once the view's teams are known (test/list-indexes.test.ts checks its plans). */
export function queueQuery(ctx: Ctx, query: QueueQuery & { agentId?: string | null }, teamIds: string[] | null) {
  return ctx.db
    .select({
      ...ticketColumns,
      customerName: customers.name,
      customerEmail: customers.email,
      accountName: accounts.name,
      accountTier: accounts.tier,
    })
    .from(tickets)
    .leftJoin(customers, eq(customers.id, tickets.customerId))
    .leftJoin(accounts, eq(accounts.id, customers.accountId))
    .where(
      ticketScanWhere(ctx.workspaceId, {
        statuses: QUEUE_STATUSES,
        ...(query.view === 'mine'
          ? { assigneeId: query.agentId! }
          : query.view === 'unassigned'
            ? { assigneeId: null }
            : {}),
        ...(teamIds ? { teamIds } : {}),
      }),
    )
    .orderBy(priorityRankSql, sql`${nextDueSql} asc nulls last`, asc(tickets.createdAt), asc(tickets.id))
    .limit(query.limit);
}
