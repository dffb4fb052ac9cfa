/**
 * Inbound email to tickets: the workspace is the one whose inbound address received the mail; a reply
 * (In-Reply-To / References naming one of the ticket's emails, from the ticket's customer) continues its
 * ticket — reopening it when resolved — and anything else opens a new one. The raw mail is kept, and the
 * pipeline of the ticket is queued in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Attachment } from '../domain/schemas.js';
import type { Ctx } from '../store/ctx.js';
import { resolveCustomerRef } from '../people/resolve-customer-ref.js';
import { findActiveContent } from '../domain/html.js';
import { addMessage } from '../tickets/add-message.js';
import { createTicket } from '../tickets/create-ticket.js';
import { attachments, customers, emailMessages, tickets } from '../store/schema.js';
import { baseSubject, type ParsedEmail, parseEmail } from '../channels/email/parse.js';
import { emailOf, workspaceByInboundAddress } from '../connectors/email-settings.js';
import { getWorkspace } from '../people/get-workspace.js';
import type { Config } from '../config.js';
import { assertStorableText } from '../domain/text.js';
import { pipelineJob } from '../jobs/queue.js';
import { startSmtpListener, type SmtpListener } from '../channels/email/smtp.js';
import { inRetriedTransaction } from '../store/transaction.js';
import type { IngestDeps } from './deps.js';

export interface AttachmentLimits {
  maxAttachments: number;
  maxAttachmentBytes: number;
}

type EmailDeps = IngestDeps & {
  config: Pick<Config, 'emailMaxAttachments' | 'emailMaxAttachmentBytes' | 'emailMaxBytes' | 'smtpHost' | 'smtpPort'>;
};

export type InboundResult =
  | { status: 'created' | 'threaded'; ticketId: string; messageId: string; emailId: string }
  | { status: 'duplicate'; ticketId: string; messageId: string | null; emailId: string }
  | { status: 'ignored'; reason: string };

/**
 * Stores one inbound mail (raw RFC 5322 bytes) for each workspace whose inbound address is among the
 * recipients, and queues the pipeline of the ticket it opened or continued in the same transaction.
 */
export async function receiveEmail(deps: EmailDeps, raw: Buffer, recipients: string[]): Promise<InboundResult[]> {
  const limits = {
    maxAttachments: deps.config.emailMaxAttachments,
    maxAttachmentBytes: deps.config.emailMaxAttachmentBytes,
  };
  const mail = await parseEmail(raw);
  // Refused whole (SMTP 550) rather than stored in part: attachments' bytes are stored as bytes.
  assertStorableText({ ...mail, attachments: mail.attachments.map(({ content: _bytes, ...meta }) => meta) }, 'email');
  const workspaceIds = new Set<string>();
  for (const r of recipients) {
    const ws = await workspaceByInboundAddress(deps.database.db, r);
    if (ws) workspaceIds.add(ws);
  }
  const results: InboundResult[] = [];
  for (const ws of workspaceIds) {
    const result = await inRetriedTransaction(deps, ws, { type: 'integration', id: 'email' }, async (ctx) => {
      const result = await ingestEmail(ctx, mail, raw, recipients, limits);
      if (result.status === 'created' || result.status === 'threaded') {
        const trigger = result.status === 'created' ? 'created' : 'customer_message';
        await deps.jobs.enqueuePipeline({ workspaceId: ws, ticketId: result.ticketId, trigger }, ctx.db);
      }
      return result;
    });
    if (result.status === 'created' || result.status === 'threaded') deps.jobs.wake(pipelineJob.name);
    if (result.status === 'ignored')
      deps.logger.info({ workspaceId: ws, reason: result.reason }, 'inbound email ignored');
    results.push(result);
  }
  return results;
}

/**
 * Starts the inbound SMTP listener (DESKMIND_SMTP_HOST / DESKMIND_SMTP_PORT unless given): it accepts mail for
 * the workspaces' inbound addresses and receives it as above.
 */
export function listenForEmail(deps: EmailDeps, opts: { host?: string; port?: number } = {}): Promise<SmtpListener> {
  return startSmtpListener({
    host: opts.host ?? deps.config.smtpHost,
    port: opts.port ?? deps.config.smtpPort ?? 0,
    maxBytes: deps.config.emailMaxBytes,
    logger: deps.logger,
    accepts: async (address) => (await workspaceByInboundAddress(deps.database.db, address)) !== null,
    receive: async (raw, recipients) => {
      await receiveEmail(deps, raw, recipients);
    },
  });
}

const TEXT_MAX = 100_000;
const HTML_MAX = 500_000;

/** Stores one parsed inbound mail on its ticket. Call inside a transaction, with the workspace's ctx. */
export async function ingestEmail(
  ctx: Ctx,
  mail: ParsedEmail,
  raw: Buffer,
  recipients: string[],
  limits: AttachmentLimits,
): Promise<InboundResult> {
  if (!mail.from) return { status: 'ignored', reason: 'no sender address' };
  const settings = emailOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
  if (settings.inboundAddress && mail.from.address === settings.inboundAddress)
    return { status: 'ignored', reason: 'sent by this workspace (mail loop)' };
  if (mail.automatic) return { status: 'ignored', reason: 'automatic message (Auto-Submitted or bulk Precedence)' };

  const rfcMessageId = mail.messageId ?? `<generated.${randomUUID()}@deskmind.invalid>`;
  const [seen] = await ctx.db
    .select({ id: emailMessages.id, ticketId: emailMessages.ticketId, messageId: emailMessages.messageId })
    .from(emailMessages)
    .where(and(eq(emailMessages.workspaceId, ctx.workspaceId), eq(emailMessages.rfcMessageId, rfcMessageId)));
  if (seen) return { status: 'duplicate', ticketId: seen.ticketId, messageId: seen.messageId, emailId: seen.id };

  // Threading: the newest of our emails this mail answers, on a ticket of the same customer that is not closed.
  let threadTicketId: string | null = null;
  if (mail.threadIds.length) {
    const known = await ctx.db
      .select({ ticketId: emailMessages.ticketId, status: tickets.status, email: customers.email })
      .from(emailMessages)
      .innerJoin(tickets, eq(tickets.id, emailMessages.ticketId))
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .where(
        and(
          eq(emailMessages.workspaceId, ctx.workspaceId),
          inArray(emailMessages.rfcMessageId, mail.threadIds.slice(0, 100)),
        ),
      )
      .orderBy(desc(emailMessages.createdAt))
      .limit(1);
    const hit = known[0];
    if (hit && hit.status !== 'closed' && hit.email?.toLowerCase() === mail.from.address) threadTicketId = hit.ticketId;
  }

  const stored: (typeof mail.attachments)[number][] = [];
  const skipped: { filename: string; size: number; reason: string }[] = [];
  for (const a of mail.attachments) {
    if (a.size > limits.maxAttachmentBytes)
      skipped.push({ filename: a.filename, size: a.size, reason: `larger than ${limits.maxAttachmentBytes} bytes` });
    else if (stored.length >= limits.maxAttachments)
      skipped.push({ filename: a.filename, size: a.size, reason: `more than ${limits.maxAttachments} attachments` });
    else stored.push(a);
  }
  const meta: Attachment[] = stored.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size }));
  const html = mail.html && !findActiveContent(mail.html).length ? mail.html.slice(0, HTML_MAX) : undefined;
  // Never empty: a mail without readable text (an image only, say) still becomes a message, never a refusal the sender
  // retries.
  const text = (mail.text.trim() || '(no text)').slice(0, TEXT_MAX);
  const message = { text, html, visibility: 'public' as const, attachments: meta };

  const customer = await resolveCustomerRef(ctx, {
    email: mail.from.address,
    ...(mail.from.name ? { name: mail.from.name.slice(0, 300) } : {}),
  });
  const asCustomer: Ctx = { ...ctx, actor: { type: 'customer', id: customer.id } };
  let ticketId: string;
  let messageId: string;
  if (threadTicketId) {
    const r = await addMessage(asCustomer, threadTicketId, message, { type: 'customer', id: customer.id });
    ticketId = r.ticket.id;
    messageId = r.message.id;
  } else {
    const r = await createTicket(
      asCustomer,
      {
        subject: (baseSubject(mail.subject) || '(no subject)').slice(0, 500),
        message,
        customer: { id: customer.id },
        channel: 'email',
        tags: [],
      },
      { sla: true },
    );
    ticketId = r.ticket.id;
    messageId = r.message.id;
  }
  const [email] = await ctx.db
    .insert(emailMessages)
    .values({
      workspaceId: ctx.workspaceId,
      ticketId,
      messageId,
      direction: 'inbound',
      rfcMessageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references.slice(0, 100),
      fromAddress: mail.from.address,
      toAddresses: recipients.slice(0, 50),
      subject: mail.subject.slice(0, 1000),
      raw,
      notes: skipped.length ? { skippedAttachments: skipped } : {},
      createdAt: ctx.now(),
    })
    .returning({ id: emailMessages.id });
  if (stored.length) {
    await ctx.db.insert(attachments).values(
      stored.map((a) => ({
        workspaceId: ctx.workspaceId,
        ticketId,
        messageId,
        filename: a.filename,
        contentType: a.contentType,
        size: a.size,
        contentId: a.contentId,
        content: a.content,
        createdAt: ctx.now(),
      })),
    );
  }
  return { status: threadTicketId ? 'threaded' : 'created', ticketId, messageId, emailId: email!.id };
}
