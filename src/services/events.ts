import { and, asc, eq } from 'drizzle-orm';
import type { EventType } from '../domain/enums.js';
import type { TimelineEvent } from '../domain/schemas.js';
import { enabledEndpointsSql, fanOut, type FanOutEndpoint } from '../channels/fanout.js';
import { notifyExpression } from '../live/bus.js';
import { events } from '../store/schema.js';
import type { Ctx } from './context.js';

/**
 * Appends one event to the workspace's timeline (append-only: events are never updated), writes the
 * deliveries it causes to the outbox (src/channels) and announces it on the live bus, all in the caller's
 * transaction: deliveries and live notices exist only once it commits.
 */
export async function appendEvent(
  ctx: Ctx,
  type: EventType,
  ticketId: string | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  const live = {
    workspaceId: ctx.workspaceId,
    ticketId,
    type,
    actorType: ctx.actor.type,
    ...(type === 'message.created' ? { authorType: String(data.authorType ?? ''), visibility: String(data.visibility ?? '') } : {}),
    at: ctx.now().toISOString(),
  };
  // One statement: the insert, the live notice and the workspace's enabled endpoints for the fan-out.
  const [row] = await ctx.db
    .insert(events)
    .values({
      workspaceId: ctx.workspaceId,
      ticketId,
      type,
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      data,
      createdAt: ctx.now(),
    })
    .returning({ id: events.id, createdAt: events.createdAt, endpoints: enabledEndpointsSql(ctx.workspaceId), notified: notifyExpression(live) });
  // Outbound webhooks, Slack notices and email replies: written to the outbox in the same transaction.
  await fanOut(ctx, { id: row!.id, type, ticketId, actorType: ctx.actor.type, actorId: ctx.actor.id, data, createdAt: row!.createdAt }, parseEndpoints(row!.endpoints));
}

/** The endpoints JSON as either driver returns it (parsed, or as text). */
function parseEndpoints(value: unknown): FanOutEndpoint[] {
  if (value === null || value === undefined) return [];
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(list) ? (list as FanOutEndpoint[]) : [];
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
