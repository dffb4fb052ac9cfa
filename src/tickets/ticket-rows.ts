import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { AuthorType, EventType } from '../domain/enums.js';
import { DeskmindError, notFound } from '../domain/errors.js';
import type { Message, MessageInput, Ticket } from '../domain/schemas.js';
import { TicketSchema } from '../domain/schemas.js';
import { applyLifecycle, type LifecycleAction, type LifecycleState } from '../domain/ticket-lifecycle.js';
import { pauseSla, resumeSla, SLA_PAUSED_STATUSES } from '../sla/state.js';
import { messages, ticketColumns, tickets, type TicketRow } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import type { RecordField } from '../store/bulk.js';
import { appendEvent } from '../events/timeline.js';
import { findActiveContent, htmlToText, sanitise } from '../domain/html.js';

export const SEARCH_CHARS = 20_000;

export const TICKET_FIELDS = Object.keys(TicketSchema.shape) as (keyof Ticket)[];

/** The ticket as the API shows it: the schema's fields only (not the SLA and search columns). */
export function toTicket(row: TicketRow): Ticket {
  return Object.fromEntries(TICKET_FIELDS.map((k) => [k, row[k]])) as Ticket;
}

export function toMessage(row: typeof messages.$inferSelect): Message {
  return {
    id: row.id,
    ticketId: row.ticketId,
    authorType: row.authorType,
    authorId: row.authorId,
    visibility: row.visibility,
    text: row.bodyText,
    html: row.bodyHtml,
    attachments: row.attachments,
    pageContext: row.pageContext ?? null,
    createdAt: row.createdAt,
  };
}

export const scope = (ctx: Ctx, id: string) => and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, id));

/** Checks and normalises a message body: HTML with active content is refused, the rest is sanitised. */
export function prepareBody(
  input: Pick<MessageInput, 'text' | 'html'>,
  opts: { allowActive?: boolean } = {},
): { text: string; html: string | null } {
  if (input.html) {
    const active = findActiveContent(input.html);
    if (active.length && !opts.allowActive) {
      throw new DeskmindError('unsafe_html', `The HTML contains ${active.join(', ')}; send it without them`, {
        issues: [{ path: 'html', message: active.join(', ') }],
      });
    }
    const html = sanitise(input.html);
    const text = input.text?.trim() ? input.text.trim() : htmlToText(html);
    if (!text)
      throw new DeskmindError('validation_failed', 'The message has no text', {
        issues: [{ path: 'text', message: 'empty' }],
      });
    return { text, html };
  }
  return { text: (input.text ?? '').trim(), html: null };
}

export async function lockTicket(ctx: Ctx, id: string): Promise<TicketRow> {
  const [row] = await ctx.db.select(ticketColumns).from(tickets).where(scope(ctx, id)).for('update');
  if (!row) throw notFound('Ticket', id);
  return row;
}

export const lifecycleOf = (row: TicketRow): LifecycleState => ({
  status: row.status,
  snoozedUntil: row.snoozedUntil,
  firstResponseAt: row.firstResponseAt,
  resolvedAt: row.resolvedAt,
  closedAt: row.closedAt,
  reopenCount: row.reopenCount,
});

/** Applies a lifecycle action to a locked ticket row: stores the new state and appends its events. */
export async function transition(ctx: Ctx, row: TicketRow, action: LifecycleAction): Promise<TicketRow> {
  const now = ctx.now();
  const before = lifecycleOf(row);
  const { state, changed, reopened } = applyLifecycle(before, action, now);
  // Waiting on the customer (pending, snoozed) pauses the resolution SLA; leaving it resumes it.
  const waiting = (status: string) => SLA_PAUSED_STATUSES.includes(status);
  const sla = !changed
    ? {}
    : waiting(state.status) && !waiting(row.status)
      ? pauseSla(row, now)
      : !waiting(state.status) && waiting(row.status)
        ? await resumeSla(ctx, row, now)
        : {};
  // applyLifecycle returns the same state when nothing changed: no write then.
  if (state === before) return row;
  const next = { ...row, ...state, ...sla, updatedAt: now };
  await ctx.db
    .update(tickets)
    .set({ ...state, ...sla, updatedAt: now })
    .where(eq(tickets.id, row.id));
  if (changed) {
    await appendEvent(ctx, 'ticket.status_changed', row.id, { from: row.status, to: state.status });
    const extra: Partial<Record<string, EventType>> = { resolved: 'ticket.resolved', closed: 'ticket.closed' };
    const type = extra[state.status];
    if (type) await appendEvent(ctx, type, row.id, {});
    if (reopened) await appendEvent(ctx, 'ticket.reopened', row.id, { reopenCount: state.reopenCount });
  }
  return next;
}

/** The row a message is inserted as. */
export function messageValues(
  ctx: Ctx,
  ticketId: string,
  input: Pick<MessageInput, 'visibility' | 'attachments' | 'pageContext'>,
  body: { text: string; html: string | null },
  author: { type: AuthorType; id: string | null },
  now: Date,
) {
  return {
    workspaceId: ctx.workspaceId,
    ticketId,
    authorType: author.type,
    authorId: author.id,
    visibility: input.visibility,
    bodyText: body.text,
    bodyHtml: body.html,
    attachments: input.attachments,
    pageContext: input.pageContext ?? null,
    createdAt: now,
  };
}

/** The message row itself, and its `message.created` event. */
export async function insertMessageRow(
  ctx: Ctx,
  ticketId: string,
  input: MessageInput,
  body: { text: string; html: string | null },
  author: { type: AuthorType; id: string | null },
  now: Date,
): Promise<Message> {
  const [row] = await ctx.db
    .insert(messages)
    .values(messageValues(ctx, ticketId, input, body, author, now))
    .returning();
  await appendEvent(ctx, 'message.created', ticketId, {
    messageId: row!.id,
    authorType: author.type,
    visibility: input.visibility,
  });
  return toMessage(row!);
}

/** Stores a message on a ticket, updates the ticket (last message, search) and appends `message.created`. */
export async function insertMessage(
  ctx: Ctx,
  ticketId: string,
  input: MessageInput,
  author: { type: AuthorType; id: string | null },
): Promise<{ message: Message; ticket: TicketRow }> {
  const body = prepareBody(input);
  const now = ctx.now();
  // The ticket as it is after the message (no need to read it again).
  const [ticket] = await ctx.db
    .update(tickets)
    .set({
      lastMessageAt: now,
      updatedAt: now,
      search: sql`coalesce(${tickets.search}, ''::tsvector) || to_tsvector('english',
          ${body.text.slice(0, SEARCH_CHARS)})`,
      ...(input.pageContext ? { pageContext: input.pageContext } : {}),
    })
    .where(eq(tickets.id, ticketId))
    .returning(ticketColumns);
  const message = await insertMessageRow(ctx, ticketId, input, body, author, now);
  return { message, ticket: ticket! };
}

export const messageColumns = getTableColumns(messages);

/**
 * How tickets are bulk-inserted searchable (`bulkInsert` options): by subject and the text of their messages, the
 * row's `searchText`, as once their messages are added.
 */
export const TICKET_SEARCH_INSERT = {
  computed: {
    search: (field: RecordField) =>
      sql`setweight(to_tsvector('english', ${field('subject')}), 'A') || to_tsvector('english',
          ${field('searchText')})`,
  },
  extraFields: { searchText: 'text' as const },
};
