/** Attachments and stored emails of a ticket, as the API lists and serves them. */
import { and, asc, eq } from 'drizzle-orm';
import { notFound } from '../../domain/errors.js';
import type { Ctx } from '../../store/ctx.js';
import { getTicket } from '../../tickets/get-ticket.js';
import { attachments, emailMessages } from '../../store/schema.js';

const attachmentInfo = {
  id: attachments.id,
  ticketId: attachments.ticketId,
  messageId: attachments.messageId,
  filename: attachments.filename,
  contentType: attachments.contentType,
  size: attachments.size,
  contentId: attachments.contentId,
  createdAt: attachments.createdAt,
};

export async function listTicketAttachments(ctx: Ctx, ticketId: string) {
  await getTicket(ctx, ticketId);
  return ctx.db
    .select(attachmentInfo)
    .from(attachments)
    .where(and(eq(attachments.workspaceId, ctx.workspaceId), eq(attachments.ticketId, ticketId)))
    .orderBy(asc(attachments.createdAt), asc(attachments.id));
}

/** One attachment with its bytes. */
export async function getAttachment(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select({ ...attachmentInfo, content: attachments.content })
    .from(attachments)
    .where(and(eq(attachments.workspaceId, ctx.workspaceId), eq(attachments.id, id)));
  if (!row) throw notFound('Attachment', id);
  return row;
}

/** The emails of a ticket, in and out, oldest first (without the raw bytes). */
export async function listTicketEmails(ctx: Ctx, ticketId: string) {
  await getTicket(ctx, ticketId);
  const rows = await ctx.db
    .select()
    .from(emailMessages)
    .where(and(eq(emailMessages.workspaceId, ctx.workspaceId), eq(emailMessages.ticketId, ticketId)))
    .orderBy(asc(emailMessages.createdAt), asc(emailMessages.id));
  return rows.map(({ raw, workspaceId: _w, ...r }) => ({ ...r, hasRaw: raw !== null }));
}

/** The raw RFC 5322 bytes of an inbound email, as received. */
export async function getRawEmail(ctx: Ctx, id: string): Promise<Buffer> {
  const [row] = await ctx.db
    .select({ raw: emailMessages.raw })
    .from(emailMessages)
    .where(and(eq(emailMessages.workspaceId, ctx.workspaceId), eq(emailMessages.id, id)));
  if (!row?.raw) throw notFound('Raw email', id);
  return Buffer.from(row.raw);
}
