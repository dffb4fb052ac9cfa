/**
 * Fan-out of events into the durable outbox, inside the transaction that appends the event: a delivery
 * exists exactly when the event does. The composition root registers `fanOutListener` with the timeline.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AppendedEvent, EventListener } from '../events/listeners.js';
import type { Ctx } from '../store/ctx.js';
import { outbox, webhookEndpoints } from '../store/schema.js';
import type { FanOutEndpoint } from '../connectors/connector.js';
import { OUTBOUND } from '../connectors/registry.js';

/**
 * The workspace's enabled endpoints as one JSON array, for a `returning` clause: the event's insert then reads
 * them in the same statement (one round trip per event instead of three).
 */
export function enabledEndpointsSql(workspaceId: string): SQL<FanOutEndpoint[] | null> {
  return sql<
    FanOutEndpoint[] | null
  >`(select json_agg(json_build_object('id', e.id, 'kind', e.kind, 'eventTypes', e.event_types)) from
    ${webhookEndpoints} e where e.workspace_id = ${workspaceId} and e.enabled)`;
}

/** The outbound channels as a listener of the timeline: the enabled endpoints are read with the events' insert. */
export const fanOutListener: EventListener = {
  name: 'outbound-channels',
  read: enabledEndpointsSql,
  appended: async (ctx, events, endpoints) => {
    const enabled = parseEndpoints(endpoints);
    for (const ev of events) await fanOut(ctx, ev, enabled);
  },
};

/** The endpoints JSON as either driver returns it (parsed, or as text). */
function parseEndpoints(value: unknown): FanOutEndpoint[] {
  if (value === null || value === undefined) return [];
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(list) ? (list as FanOutEndpoint[]) : [];
}

/** Writes the outbox rows an event causes: each outbound channel's (one per matching endpoint, an email reply). */
export async function fanOut(ctx: Ctx, ev: AppendedEvent, enabled?: FanOutEndpoint[]): Promise<void> {
  const endpoints =
    enabled ??
    (await ctx.db
      .select({ id: webhookEndpoints.id, kind: webhookEndpoints.kind, eventTypes: webhookEndpoints.eventTypes })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.workspaceId, ctx.workspaceId), eq(webhookEndpoints.enabled, true))));
  const rows: (typeof outbox.$inferInsert)[] = [];
  const base = {
    workspaceId: ctx.workspaceId,
    eventId: ev.id,
    eventType: ev.type,
    ticketId: ev.ticketId,
    nextAttemptAt: ctx.now(),
    createdAt: ctx.now(),
  };
  for (const outbound of OUTBOUND) {
    for (const delivery of await outbound.deliveries(ctx, ev, endpoints))
      rows.push({ ...base, channel: outbound.channel, ...delivery });
  }
  if (rows.length) await ctx.db.insert(outbox).values(rows);
}
