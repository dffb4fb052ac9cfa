import { and, asc, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { TicketStatus } from '../../domain/enums.js';
import type { DbOrTx } from '../db.js';
import { ticketColumns, tickets, type TicketRow } from '../schema.js';

/** The earliest due time still running on a ticket (first response until replied, then resolution), as SQL. */
export const nextDueSql = sql`least(case when ${tickets.firstResponseAt} is null then ${tickets.firstResponseDueAt} end,
    ${tickets.resolutionDueAt})`;

/** Priority as a rank, most urgent first, as SQL. */
export const priorityRankSql = sql`case ${tickets.priority} when 'urgent' then 0 when 'high' then 1 when 'normal' then 2
    else 3 end`;

/**
 * Statuses written out (not as parameters), so that the plan may use the partial indexes on the open
 * statuses. Safe: the statuses are the closed enum's own values.
 */
export const statusInSql = (statuses: readonly TicketStatus[]): SQL =>
  sql`${tickets.status} in (${sql.raw(statuses.map((s) => `'${s}'`).join(', '))})`;

/** Which tickets of a workspace a scan takes. */
export interface TicketScan {
  statuses: readonly TicketStatus[];
  /** An agent's id: theirs only; `null`: unassigned only; absent: any. */
  assigneeId?: string | null;
  /** These teams only; `'any'`: any team but none; absent: with or without a team. */
  teamIds?: string[] | 'any';
  /** A further condition. */
  where?: SQL;
}

/** The condition of a scan: the workspace, the statuses, then the assignee, the teams and `where`. */
export function ticketScanWhere(workspaceId: string, scan: TicketScan): SQL | undefined {
  return and(
    eq(tickets.workspaceId, workspaceId),
    statusInSql(scan.statuses),
    scan.assigneeId === undefined
      ? undefined
      : scan.assigneeId === null
        ? isNull(tickets.assigneeId)
        : eq(tickets.assigneeId, scan.assigneeId),
    scan.teamIds === undefined
      ? undefined
      : scan.teamIds === 'any'
        ? isNotNull(tickets.teamId)
        : inArray(tickets.teamId, scan.teamIds),
    scan.where,
  );
}

/**
 * Ticket rows of a workspace in a stable order: `oldest` first, or the `nextDue` SLA target first (none
 * last); ties by id. `lock` takes the rows for update (call inside a transaction).
 */
export function scanTickets(
  db: DbOrTx,
  workspaceId: string,
  scan: TicketScan & { order: 'oldest' | 'nextDue'; limit?: number; lock?: boolean },
): Promise<TicketRow[]> {
  let query = db
    .select(ticketColumns)
    .from(tickets)
    .where(ticketScanWhere(workspaceId, scan))
    .orderBy(scan.order === 'oldest' ? asc(tickets.createdAt) : sql`${nextDueSql} asc nulls last`, asc(tickets.id))
    .$dynamic();
  if (scan.limit !== undefined) query = query.limit(scan.limit);
  if (scan.lock) query = query.for('update');
  return query;
}
