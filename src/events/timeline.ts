import { and, asc, eq } from 'drizzle-orm';
import type { EventType } from '../domain/enums.js';
import type { TimelineEvent } from '../domain/schemas.js';
import { notifyAllExpression, type LiveEvent } from '../live/bus.js';
import { bulkInsert } from '../store/bulk.js';
import { events } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { eventListeners } from './listeners.js';

/** An event appended in a transaction that writes its events together when it ends (see `withEventBatch`). */
export interface PendingEvent {
  type: EventType;
  ticketId: string | null;
  actorType: Ctx['actor']['type'];
  actorId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Appends one event to the workspace's timeline (append-only: events are never updated), tells the registered
 * listeners (src/events/listeners.ts: the outbound channels' fan-out, say) and announces it on the live bus, all
 * in the caller's transaction: what listeners write and live notices exist only once it commits. Inside
 * `withEventBatch` the event is written with the others of the batch when it ends (same transaction, same order).
 */
export async function appendEvent(
  ctx: Ctx,
  type: EventType,
  ticketId: string | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  const event: PendingEvent = {
    type,
    ticketId,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    data,
    createdAt: ctx.now(),
  };
  if (ctx.eventBatch) ctx.eventBatch.push(event);
  else await writeEvents(ctx, [event]);
}

/**
 * Runs `fn` with a context whose appended events are written together, in one statement, when it returns
 * (call it inside a transaction, and only around code that does not read back the events it appends).
 */
export async function withEventBatch<T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const batch: PendingEvent[] = [];
  const result = await fn({ ...ctx, eventBatch: batch });
  await writeEvents(ctx, batch);
  return result;
}

/**
 * One statement: the inserts, their live notices and what each listener reads with them; then the listeners,
 * in the same transaction.
 */
async function writeEvents(ctx: Ctx, pending: PendingEvent[]): Promise<void> {
  if (!pending.length) return;
  const listeners = eventListeners();
  const notices = pending.map((e) => JSON.stringify(liveEventOf(ctx.workspaceId, e)));
  const reads = Object.fromEntries(
    listeners.flatMap((l, i) => (l.read ? [[`read${i}`, l.read(ctx.workspaceId)]] : [])),
  );
  const rows = await bulkInsert(
    ctx.db,
    events,
    pending.map((e) => ({
      workspaceId: ctx.workspaceId,
      ticketId: e.ticketId,
      type: e.type,
      actorType: e.actorType,
      actorId: e.actorId,
      data: e.data,
      createdAt: e.createdAt,
    })),
    { returning: { id: events.id, createdAt: events.createdAt, notified: notifyAllExpression(notices), ...reads } },
  );
  const appended = pending.map((e, i) => ({
    id: rows[i]!.id,
    type: e.type,
    ticketId: e.ticketId,
    actorType: e.actorType,
    actorId: e.actorId,
    data: e.data,
    createdAt: rows[i]!.createdAt,
  }));
  for (const [i, l] of listeners.entries())
    await l.appended(ctx, appended, (rows[0] as Record<string, unknown>)[`read${i}`]);
}

/** What the live bus says of an event: which ticket changed and how, never its content. */
function liveEventOf(workspaceId: string, e: PendingEvent): LiveEvent {
  return {
    workspaceId,
    ticketId: e.ticketId,
    type: e.type,
    actorType: e.actorType,
    ...(e.type === 'message.created'
      ? { authorType: String(e.data.authorType ?? ''), visibility: String(e.data.visibility ?? '') }
      : {}),
    at: e.createdAt.toISOString(),
  };
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
