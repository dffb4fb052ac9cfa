import { and, asc, eq } from 'drizzle-orm';
import type { EventType } from '../domain/enums.js';
import type { TimelineEvent } from '../domain/schemas.js';
import { notifySql } from '../live/bus.js';
import { events } from '../store/schema.js';
import type { Ctx } from './context.js';

/**
 * Appends one event to the workspace's timeline (append-only: events are never updated) and announces it
 * on the live bus (delivered when the transaction commits).
 */
export async function appendEvent(
  ctx: Ctx,
  type: EventType,
  ticketId: string | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  await ctx.db.insert(events).values({
    workspaceId: ctx.workspaceId,
    ticketId,
    type,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    data,
    createdAt: ctx.now(),
  });
  await ctx.db.execute(
    notifySql({
      workspaceId: ctx.workspaceId,
      ticketId,
      type,
      actorType: ctx.actor.type,
      ...(type === 'message.created' ? { authorType: String(data.authorType ?? ''), visibility: String(data.visibility ?? '') } : {}),
      at: ctx.now().toISOString(),
    }),
  );
}

/** The timeline of one ticket, oldest first. */
export async function listTicketEvents(ctx: Ctx, ticketId: string): Promise<TimelineEvent[]> {
  return ctx.db
    .select({
      id: events.id,
      ticketId: events.ticketId,
      type: events.type,
      actorType: events.actorType,
      actorId: events.actorId,
      data: events.data,
      createdAt: events.createdAt,
    })
    .from(events)
    .where(and(eq(events.workspaceId, ctx.workspaceId), eq(events.ticketId, ticketId)))
    .orderBy(asc(events.id));
}
