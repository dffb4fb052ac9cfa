/**
 * Outbound email replies: the message is built in the transaction that stores the reply (so its
 * Message-ID threads replies at once) and sent later by the outbox through the SMTP relay.
 */
import { and, asc, eq } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import type { Ctx } from '../store/ctx.js';
import { customers, emailMessages, messages, tickets, workspaces } from '../store/schema.js';
import { emailOf } from './email-settings.js';
import { replySubject } from '../channels/email/parse.js';
import { defineConnector, defineOutbound, type SendResult } from './connector.js';

/** What the outbox stores for one outbound email. */
export const OutboundEmailSchema = z.object({
  from: z.object({ name: z.string(), address: z.string() }),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  messageId: z.string(),
  inReplyTo: z.string().optional(),
  references: z.array(z.string()),
  /** The assistant's answers are marked automatic (RFC 3834), so auto-responders do not answer them. */
  automatic: z.boolean(),
});
export type OutboundEmail = z.output<typeof OutboundEmailSchema>;

const MAX_REFERENCES = 20;

/**
 * The email for a public agent or assistant reply on an email ticket, or null when the ticket is not an
 * email ticket, the customer has no address or the workspace has no inbound address. Records the
 * outbound Message-ID on the ticket. Call inside the reply's transaction.
 */
export async function buildReplyEmail(ctx: Ctx, ticketId: string, messageId: string): Promise<OutboundEmail | null> {
  const [row] = await ctx.db
    .select({
      channel: tickets.channel,
      subject: tickets.subject,
      email: customers.email,
      bodyText: messages.bodyText,
      bodyHtml: messages.bodyHtml,
      authorType: messages.authorType,
    })
    .from(messages)
    .innerJoin(tickets, eq(tickets.id, messages.ticketId))
    .leftJoin(customers, eq(customers.id, tickets.customerId))
    .where(and(eq(messages.id, messageId), eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, ticketId)));
  if (row?.channel !== 'email' || !row.email) return null;
  const [ws] = await ctx.db
    .select({ name: workspaces.name, settings: workspaces.settings })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId));
  const settings = emailOf(ws?.settings ?? {});
  if (!settings.inboundAddress) return null;
  const thread = await ctx.db
    .select({
      rfcMessageId: emailMessages.rfcMessageId,
      subject: emailMessages.subject,
      direction: emailMessages.direction,
    })
    .from(emailMessages)
    .where(and(eq(emailMessages.workspaceId, ctx.workspaceId), eq(emailMessages.ticketId, ticketId)))
    .orderBy(asc(emailMessages.createdAt), asc(emailMessages.id));
  const domain = settings.inboundAddress.split('@')[1] ?? 'deskmind.invalid';
  const rfcMessageId = `<deskmind.${messageId}@${domain}>`;
  const lastInbound = [...thread].reverse().find((t) => t.direction === 'inbound') ?? thread.at(-1);
  const references = thread.map((t) => t.rfcMessageId).slice(-MAX_REFERENCES);
  const subject = replySubject(thread[0]?.subject || row.subject);
  const email: OutboundEmail = {
    from: { name: settings.fromName ?? ws?.name ?? 'Support', address: settings.inboundAddress },
    to: row.email,
    subject,
    text: row.bodyText,
    html: row.bodyHtml ?? undefined,
    messageId: rfcMessageId,
    inReplyTo: lastInbound?.rfcMessageId,
    references,
    automatic: row.authorType === 'assistant',
  };
  await ctx.db
    .insert(emailMessages)
    .values({
      workspaceId: ctx.workspaceId,
      ticketId,
      messageId,
      direction: 'outbound',
      rfcMessageId,
      inReplyTo: email.inReplyTo ?? null,
      references,
      fromAddress: settings.inboundAddress,
      toAddresses: [row.email],
      subject,
      createdAt: ctx.now(),
    })
    .onConflictDoNothing();
  return email;
}

/** Sends outbound emails through the configured SMTP relay. */
export interface MailSender {
  send(email: OutboundEmail): Promise<void>;
  close(): void;
}

/** A nodemailer transport on `smtp://user:pass@host:port` (or `smtps://`); null without a relay. */
export function createMailSender(relayUrl: string | undefined, timeoutMs: number): MailSender | null {
  if (!relayUrl) return null;
  let transport: Transporter | null = null;
  return {
    async send(email) {
      transport ??= nodemailer.createTransport({
        url: relayUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      await transport.sendMail({
        from: email.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html ? { html: email.html } : {}),
        messageId: email.messageId,
        ...(email.inReplyTo ? { inReplyTo: email.inReplyTo } : {}),
        references: email.references,
        headers: email.automatic ? { 'Auto-Submitted': 'auto-replied' } : {},
      });
    },
    close() {
      transport?.close();
    },
  };
}

/** One attempt at handing an email to the relay; an SMTP refusal's reply code is kept as the status. */
async function sendEmail(mail: MailSender | null, email: OutboundEmail): Promise<SendResult> {
  if (!mail) return { ok: false, statusCode: null, error: 'no SMTP relay is configured (DESKMIND_SMTP_RELAY_URL)' };
  try {
    await mail.send(email);
    return { ok: true, statusCode: null, error: null };
  } catch (err) {
    const e = err as Error & { responseCode?: number };
    return { ok: false, statusCode: e.responseCode ?? null, error: String(e.message).slice(0, 500) };
  }
}

/** Email replies: an agent's or the assistant's public reply on an email ticket is mailed to the customer. */
export const emailOutConnector = defineConnector({
  id: 'emailOut',
  title: 'Email replies (SMTP relay)',
  outbound: defineOutbound({
    channel: 'email',
    payload: OutboundEmailSchema,
    async deliveries(ctx, ev) {
      const { data } = ev;
      if (ev.type !== 'message.created' || !ev.ticketId || data.visibility !== 'public') return [];
      if (data.authorType !== 'agent' && data.authorType !== 'assistant') return [];
      if (typeof data.messageId !== 'string') return [];
      const email = await buildReplyEmail(ctx, ev.ticketId, data.messageId);
      return email ? [{ endpointId: null, payload: email }] : [];
    },
    send: ({ payload }, { mail }) => sendEmail(mail, payload),
  }),
});
