/**
 * Fan-out of events into the durable outbox, inside the transaction that appends the event: a delivery
 * exists exactly when the event does. The composition root registers `fanOutListener` with the timeline.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { AppendedEvent, EventListener } from '../events/listeners.js';
import type { Ctx } from '../store/ctx.js';
import { customers, outbox, tickets, webhookEndpoints } from '../store/schema.js';
import { buildReplyEmail } from '../connectors/email-out.js';
import { SLACK_DEFAULT_EVENTS } from './schemas.js';
import { slackMessage, type SlackTicket } from '../connectors/slack.js';

/** An enabled endpoint of the workspace, as fan-out needs it. */
export interface FanOutEndpoint {
  id: string;
  kind: 'webhook' | 'slack';
  eventTypes: string[];
}

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

/** Hand-offs Slack is told about: those of high and urgent tickets. */
const SLACK_ESCALATION_PRIORITIES = new Set(['high', 'urgent']);

/** The JSON body of a webhook delivery. */
export function webhookBody(workspaceId: string, ev: AppendedEvent): Record<string, unknown> {
  return {
    eventId: ev.id,
    type: ev.type,
    createdAt: ev.createdAt.toISOString(),
    workspaceId,
    ticketId: ev.ticketId,
    actor: { type: ev.actorType, id: ev.actorId },
    data: ev.data,
  };
}

/** Writes the outbox rows an event causes: one per matching endpoint, and an email for a reply on an email ticket. */
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
  let ticket: SlackTicket | null | undefined;
  for (const ep of endpoints) {
    const types: readonly string[] = ep.eventTypes.length
      ? ep.eventTypes
      : ep.kind === 'slack'
        ? SLACK_DEFAULT_EVENTS
        : [];
    if (types.length && !types.includes(ev.type)) continue;
    if (ep.kind === 'webhook') {
      rows.push({ ...base, channel: 'webhook', endpointId: ep.id, payload: webhookBody(ctx.workspaceId, ev) });
      continue;
    }
    ticket ??= ev.ticketId ? await slackTicket(ctx, ev.ticketId) : null;
    if (ev.type === 'ticket.handed_off' && !(ticket && SLACK_ESCALATION_PRIORITIES.has(ticket.priority))) continue;
    const message = slackMessage(ev, ticket);
    if (message) rows.push({ ...base, channel: 'slack', endpointId: ep.id, payload: { ...message } });
  }
  if (
    ev.type === 'message.created' &&
    ev.ticketId &&
    ev.data.visibility === 'public' &&
    (ev.data.authorType === 'agent' || ev.data.authorType === 'assistant') &&
    typeof ev.data.messageId === 'string'
  ) {
    const email = await buildReplyEmail(ctx, ev.ticketId, ev.data.messageId);
    if (email) rows.push({ ...base, channel: 'email', endpointId: null, payload: { ...email } });
  }
  if (rows.length) await ctx.db.insert(outbox).values(rows);
}

async function slackTicket(ctx: Ctx, ticketId: string): Promise<SlackTicket | null> {
  const [row] = await ctx.db
    .select({
      id: tickets.id,
      subject: tickets.subject,
      priority: tickets.priority,
      status: tickets.status,
      customerEmail: customers.email,
    })
    .from(tickets)
    .leftJoin(customers, eq(customers.id, tickets.customerId))
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, ticketId)));
  return row ?? null;
}
