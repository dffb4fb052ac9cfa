import { and, arrayContains, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import type { Ticket, TicketListQuery } from '../domain/schemas.js';
import { customers, ticketColumns, tickets, ticketTopics } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { toTicket } from './ticket-rows.js';

/** A page's position: the sort key of its last ticket and its id (the tie-breaker). */
const encodeCursor = (at: Date, id: string) =>
  Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [iso, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const at = new Date(iso);
    if (Number.isNaN(at.getTime()) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad');
    return { at, id };
  } catch {
    throw new DeskmindError('validation_failed', 'The cursor is not valid', {
      issues: [{ path: 'cursor', message: 'invalid' }],
    });
  }
}

/**
 * The query behind the ticket list: every filter of `TicketListQuery`, newest first by the chosen sort
 * (created or updated), one row more than a page. Each filter has an index that serves it in that order
 * (migration 0017; test/list-indexes.test.ts checks the plans at 100k tickets). A topic's tickets are read
 * from its assignments, which carry their ticket's creation time (migration 0021), newest first from their
 * index; `ids` reads its (at most 100) tickets by primary key.
 */
export function ticketListQuery(ctx: Ctx, query: TicketListQuery) {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  // By creation within a topic, the assignment's copy of the creation time and its ticket id are the sort keys:
  // their index yields the topic's tickets in the list's order.
  const byTopic = !!query.topicId && query.sort !== 'updated';
  const sortColumn =
    query.sort === 'updated' ? tickets.updatedAt : byTopic ? ticketTopics.ticketCreatedAt : tickets.createdAt;
  const idColumn = byTopic ? ticketTopics.ticketId : tickets.id;
  const where = and(
    eq(tickets.workspaceId, ctx.workspaceId),
    query.status?.length ? inArray(tickets.status, query.status) : undefined,
    query.priority?.length ? inArray(tickets.priority, query.priority) : undefined,
    query.assigneeId === 'none'
      ? isNull(tickets.assigneeId)
      : query.assigneeId
        ? eq(tickets.assigneeId, query.assigneeId)
        : undefined,
    query.teamId ? eq(tickets.teamId, query.teamId) : undefined,
    query.intent ? eq(tickets.intent, query.intent) : undefined,
    query.tag ? arrayContains(tickets.tags, [query.tag]) : undefined,
    query.customerId ? eq(tickets.customerId, query.customerId) : undefined,
    query.accountId
      ? inArray(
          tickets.customerId,
          ctx.db
            .select({ id: customers.id })
            .from(customers)
            .where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.accountId, query.accountId))),
        )
      : undefined,
    query.ids?.length ? inArray(tickets.id, query.ids) : undefined,
    query.topicId
      ? and(eq(ticketTopics.workspaceId, ctx.workspaceId), eq(ticketTopics.topicId, query.topicId))
      : undefined,
    query.q ? sql`${tickets.search} @@ websearch_to_tsquery('english', ${query.q})` : undefined,
    cursor ? or(lt(sortColumn, cursor.at), and(lte(sortColumn, cursor.at), lt(idColumn, cursor.id))) : undefined,
  );
  // A search starts from its matches (the search index) and sorts them: the planner, misjudging how rare a
  // phrase is, would otherwise walk the sort's index and test every ticket. `+ interval '0'` hides that index.
  const sortKey = query.q ? sql`${sortColumn} + interval '0 seconds'` : sortColumn;
  const from = ctx.db.select(ticketColumns).from(tickets);
  const joined = query.topicId ? from.innerJoin(ticketTopics, eq(ticketTopics.ticketId, tickets.id)) : from;
  return joined
    .where(where)
    .orderBy(desc(sortKey), desc(idColumn))
    .limit(query.limit + 1);
}

/** Tickets newest first (by creation or last update) with filters and full-text search, one page at a time. */
export async function listTickets(
  ctx: Ctx,
  query: TicketListQuery,
): Promise<{ data: Ticket[]; nextCursor: string | null }> {
  const rows = await ticketListQuery(ctx, query);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor(query.sort === 'updated' ? last.updatedAt : last.createdAt, last.id)
      : null;
  return { data: page.map(toTicket), nextCursor };
}
