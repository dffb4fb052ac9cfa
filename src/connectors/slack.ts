/**
 * Slack incoming-webhook messages (Slack's documented JSON: `text` as the notification fallback, `blocks`
 * for the layout) for escalations and anomalies, and the Slack endpoints' outbound channel.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { SLACK_DEFAULT_EVENTS } from '../channels/schemas.js';
import type { Ctx } from '../store/ctx.js';
import { customers, tickets } from '../store/schema.js';
import { defineConnector, defineOutbound, type OutboundDelivery } from './connector.js';
import { endpointWants, NO_ENDPOINT, postJson } from './webhooks.js';

export interface SlackTicket {
  id: string;
  subject: string;
  priority: string;
  status: string;
  customerEmail: string | null;
}

export interface SlackEvent {
  type: string;
  ticketId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/**
 * A Slack message, as the outbox stores it and Slack is sent it: `text` before `blocks` (the order jsonb gives them
 * back, so the body sent is the stored one), any other field Slack reads kept as it is.
 */
export const SlackMessageSchema = z.looseObject({
  text: z.string(),
  blocks: z.array(z.record(z.string(), z.unknown())),
});
export type SlackMessage = z.output<typeof SlackMessageSchema>;

/** Escapes the three characters Slack's mrkdwn reserves. */
export const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const str = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : null;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The Slack message for an event, or null when the event is not one Slack is told about. */
export function slackMessage(event: SlackEvent, ticket: SlackTicket | null): SlackMessage | null {
  const fields: string[] = [];
  let title: string;
  let detail: string | null = null;
  if (event.type === 'ticket.handed_off') {
    if (!ticket) return null;
    title = `:rotating_light: ${ticket.priority} ticket handed to a human`;
    detail = str(event.data.detail) ?? str(event.data.reason);
  } else if (event.type === 'sla.breached') {
    title =
      `:alarm_clock: SLA breached` +
      `${str(event.data.target) ? ` (${str(event.data.target)?.replace(/_/g, ' ')})` : ''}`;
    const overdue = str(event.data.overdueMinutes);
    if (overdue) detail = `${overdue} minutes overdue`;
  } else if (event.type === 'anomaly.detected') {
    title = `:chart_with_upwards_trend: Anomaly detected${str(event.data.metric) ? `: ${str(event.data.metric)}` : ''}`;
    detail = str(event.data.summary) ?? str(event.data.description) ?? str(event.data.message);
    for (const key of ['topic', 'intent', 'observed', 'expected', 'window']) {
      const v = str(event.data[key]);
      if (v) fields.push(`*${key}:* ${slackEscape(clip(v, 200))}`);
    }
  } else {
    title = `Deskmind: ${event.type}`;
  }
  if (ticket) {
    fields.unshift(
      `*Ticket:* ${slackEscape(clip(ticket.subject, 200))}`,
      `*Priority:* ${ticket.priority}`,
      `*Status:* ${ticket.status}`,
    );
    if (ticket.customerEmail) fields.push(`*Customer:* ${slackEscape(clip(ticket.customerEmail, 200))}`);
    fields.push(`*Ticket id:* \`${ticket.id}\``);
  }
  const text = clip([title, ticket ? `"${ticket.subject}"` : null, detail].filter(Boolean).join(' — '), 3000);
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: slackEscape(clip(title, 2900)) } },
  ];
  if (detail) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: slackEscape(clip(detail, 2900)) } });
  if (fields.length)
    blocks.push({ type: 'section', fields: fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: f })) });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${event.type} · ${event.createdAt.toISOString()}` }],
  });
  return { text, blocks };
}

/** Hand-offs Slack is told about: those of high and urgent tickets. */
const SLACK_ESCALATION_PRIORITIES = new Set(['high', 'urgent']);

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

/**
 * Slack endpoints (incoming webhooks, kept with the webhook endpoints): a message per event they take, by
 * default hand-offs of high and urgent tickets, SLA breaches and anomalies.
 */
export const slackConnector = defineConnector({
  id: 'slack',
  title: 'Slack (incoming webhooks)',
  outbound: defineOutbound({
    channel: 'slack',
    payload: SlackMessageSchema,
    async deliveries(ctx, ev, endpoints) {
      const out: OutboundDelivery<SlackMessage>[] = [];
      let ticket: SlackTicket | null | undefined;
      for (const ep of endpoints) {
        if (ep.kind !== 'slack' || !endpointWants(ep, ev.type, SLACK_DEFAULT_EVENTS)) continue;
        ticket ??= ev.ticketId ? await slackTicket(ctx, ev.ticketId) : null;
        if (ev.type === 'ticket.handed_off' && !(ticket && SLACK_ESCALATION_PRIORITIES.has(ticket.priority))) continue;
        const message = slackMessage(ev, ticket);
        if (message) out.push({ endpointId: ep.id, payload: message });
      }
      return out;
    },
    /** The incoming webhook's URL is its secret: the message is POSTed unsigned. */
    send: async ({ endpoint, payload }, deps) =>
      endpoint ? postJson(deps.fetch, endpoint.url, JSON.stringify(payload), {}, deps.timeoutMs) : NO_ENDPOINT,
  }),
});
