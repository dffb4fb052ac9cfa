/** Shared reads of the timeline (the `events` table), each written once. */
import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { ActorType } from '../../domain/enums.js';
import type { DbOrTx } from '../db.js';
import { events, tickets } from '../schema.js';

/** One event of a ticket's timeline, as the outcome, tuning and metrics functions read it. */
export interface TicketFactEvent {
  ticketId: string | null;
  type: string;
  actorType: ActorType;
  data: Record<string, unknown>;
  createdAt: Date;
}

/**
 * The events of the given `types` on some of a workspace's tickets — those listed (`ticketIds`) or those created in
 * [from, to) (`createdIn`) — in the order they were appended.
 */
export async function ticketFactEvents(
  db: DbOrTx,
  workspaceId: string,
  of: { ticketIds: readonly string[] } | { createdIn: { from: Date; to: Date } },
  types: readonly string[],
): Promise<TicketFactEvent[]> {
  const columns = {
    ticketId: events.ticketId,
    type: events.type,
    actorType: events.actorType,
    data: events.data,
    createdAt: events.createdAt,
  };
  const ofType = and(eq(events.workspaceId, workspaceId), inArray(events.type, [...types]));
  if ('ticketIds' in of) {
    if (!of.ticketIds.length) return [];
    return db
      .select(columns)
      .from(events)
      .where(and(ofType, inArray(events.ticketId, [...of.ticketIds])))
      .orderBy(asc(events.id));
  }
  return db
    .select(columns)
    .from(events)
    .innerJoin(tickets, eq(tickets.id, events.ticketId))
    .where(
      and(
        ofType,
        eq(tickets.workspaceId, workspaceId),
        gte(tickets.createdAt, of.createdIn.from),
        lt(tickets.createdAt, of.createdIn.to),
      ),
    )
    .orderBy(asc(events.id));
}
