import { randomUUID } from 'node:crypto';
import { and, arrayContains, asc, desc, eq, getTableColumns, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { AuthorType, EventType } from '../domain/enums.js';
import { DeskmindError, notFound } from '../domain/errors.js';
import { assertStorableText } from '../domain/text.js';
import type {
  Customer,
  Message,
  MessageInput,
  Ticket,
  TicketCreate,
  TicketDetail,
  TicketListQuery,
  TicketPatch,
} from '../domain/schemas.js';
import { TicketSchema } from '../domain/schemas.js';
import { applyLifecycle, type LifecycleAction, type LifecycleState } from '../domain/ticket-lifecycle.js';
import { pauseSla, resumeSla, SLA_PAUSED_STATUSES, slaTargetsOf } from '../sla/state.js';
import { bulkInsert, type RecordField } from '../store/bulk.js';
import { accounts, agents, customers, decisions, messages, teams, ticketColumns, tickets, type TicketRow } from '../store/schema.js';
import { slaOf } from '../sla/settings.js';
import { getWorkspace } from '../people/workspaces.js';
import type { Actor, Ctx } from '../store/ctx.js';
import { getCustomer, getCustomers, resolveCustomerRefs } from '../people/customers.js';
import { appendEvent, listTicketEvents } from '../services/events.js';
import { findActiveContent, htmlToText, sanitise } from '../domain/html.js';
import { mapUnique } from '../store/pg-errors.js';
import { padToPowerOfTwo } from '../services/group-commit.js';

const SEARCH_CHARS = 20_000;

const TICKET_FIELDS = Object.keys(TicketSchema.shape) as (keyof Ticket)[];

/** The ticket as the API shows it: the schema's fields only (not the SLA and search columns). */
function toTicket(row: TicketRow): Ticket {
  return Object.fromEntries(TICKET_FIELDS.map((k) => [k, row[k]])) as Ticket;
}

function toMessage(row: typeof messages.$inferSelect): Message {
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

const scope = (ctx: Ctx, id: string) => and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, id));

/** Checks and normalises a message body: HTML with active content is refused, the rest is sanitised. */
export function prepareBody(input: Pick<MessageInput, 'text' | 'html'>, opts: { allowActive?: boolean } = {}): { text: string; html: string | null } {
  if (input.html) {
    const active = findActiveContent(input.html);
    if (active.length && !opts.allowActive) {
      throw new DeskmindError('unsafe_html', `The HTML contains ${active.join(', ')}; send it without them`, {
        issues: [{ path: 'html', message: active.join(', ') }],
      });
    }
    const html = sanitise(input.html);
    const text = input.text?.trim() ? input.text.trim() : htmlToText(html);
    if (!text) throw new DeskmindError('validation_failed', 'The message has no text', { issues: [{ path: 'text', message: 'empty' }] });
    return { text, html };
  }
  return { text: (input.text ?? '').trim(), html: null };
}

async function lockTicket(ctx: Ctx, id: string): Promise<TicketRow> {
  const [row] = await ctx.db.select(ticketColumns).from(tickets).where(scope(ctx, id)).for('update');
  if (!row) throw notFound('Ticket', id);
  return row;
}

const lifecycleOf = (row: TicketRow): LifecycleState => ({
  status: row.status,
  snoozedUntil: row.snoozedUntil,
  firstResponseAt: row.firstResponseAt,
  resolvedAt: row.resolvedAt,
  closedAt: row.closedAt,
  reopenCount: row.reopenCount,
});

/** Applies a lifecycle action to a locked ticket row: stores the new state and appends its events. */
async function transition(ctx: Ctx, row: TicketRow, action: LifecycleAction): Promise<TicketRow> {
  const now = ctx.now();
  const before = lifecycleOf(row);
  const { state, changed, reopened } = applyLifecycle(before, action, now);
  // Waiting on the customer (pending, snoozed) pauses the resolution SLA; leaving it resumes it.
  const waiting = (status: string) => SLA_PAUSED_STATUSES.includes(status);
  const sla = !changed ? {} : waiting(state.status) && !waiting(row.status) ? pauseSla(row, now) : !waiting(state.status) && waiting(row.status) ? await resumeSla(ctx, row, now) : {};
  // applyLifecycle returns the same state when nothing changed: no write then.
  if (state === before) return row;
  const next = { ...row, ...state, ...sla, updatedAt: now };
  await ctx.db.update(tickets).set({ ...state, ...sla, updatedAt: now }).where(eq(tickets.id, row.id));
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
function messageValues(
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
async function insertMessageRow(
  ctx: Ctx,
  ticketId: string,
  input: MessageInput,
  body: { text: string; html: string | null },
  author: { type: AuthorType; id: string | null },
  now: Date,
): Promise<Message> {
  const [row] = await ctx.db.insert(messages).values(messageValues(ctx, ticketId, input, body, author, now)).returning();
  await appendEvent(ctx, 'message.created', ticketId, { messageId: row!.id, authorType: author.type, visibility: input.visibility });
  return toMessage(row!);
}

/** Stores a message on a ticket, updates the ticket (last message, search) and appends `message.created`. */
async function insertMessage(
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
      search: sql`coalesce(${tickets.search}, ''::tsvector) || to_tsvector('english', ${body.text.slice(0, SEARCH_CHARS)})`,
      ...(input.pageContext ? { pageContext: input.pageContext } : {}),
    })
    .where(eq(tickets.id, ticketId))
    .returning(ticketColumns);
  const message = await insertMessageRow(ctx, ticketId, input, body, author, now);
  return { message, ticket: ticket! };
}

/**
 * The ticket row a new ticket is inserted as, with its SLA fields and the text its search vector is computed
 * from (`searchText`, see `NEW_TICKET_SEARCH`).
 */
function newTicketValues(ctx: Ctx, input: TicketCreate, body: { text: string }, customerId: string, sla: object, now: Date) {
  return {
    workspaceId: ctx.workspaceId,
    subject: input.subject,
    channel: input.channel,
    priority: input.priority ?? 'normal',
    ...sla,
    tags: [...new Set(input.tags)],
    customerId,
    pageContext: input.message.pageContext ?? input.pageContext ?? null, // the message's page wins, as for later messages
    externalId: input.externalId ?? null,
    searchText: body.text.slice(0, SEARCH_CHARS),
    lastMessageAt: now,
    createdAt: now,
    updatedAt: now,
  };
}

/** How new tickets are inserted: searchable by subject and first message, as once their first message is added. */
const NEW_TICKET_SEARCH = {
  computed: { search: (field: RecordField) => sql`setweight(to_tsvector('english', ${field('subject')}), 'A') || to_tsvector('english', ${field('searchText')})` },
  extraFields: { searchText: 'text' },
  returning: ticketColumns,
};
const messageColumns = getTableColumns(messages);

/**
 * Opens a ticket with its first customer message; the customer is found or created. With `sla`, the ticket
 * is inserted with its SLA policy and due times (as `applySla` computes them). Call inside a transaction.
 */
export async function createTicket(ctx: Ctx, input: TicketCreate, opts: { sla?: boolean } = {}): Promise<{ ticket: Ticket; message: Message }> {
  const [created] = await createTickets(ctx, [draftTicket(input, ctx.actor)], opts);
  return created!;
}

/** A ticket to open with `createTickets`: the request, who sends it, and its checked first message body. */
export interface TicketDraft {
  input: TicketCreate;
  actor: Actor;
  body: { text: string; html: string | null };
}

/** Checks a new ticket's first message (throws what `createTicket` throws for a bad body) and drafts it. */
export function draftTicket(input: TicketCreate, actor: Actor): TicketDraft {
  assertStorableText(input, 'ticket');
  return { input, actor, body: prepareBody(input.message) };
}

/**
 * `createTicket` for many tickets of one workspace at once, as if opened one after another (each with its
 * own actor): customers are resolved together, and the tickets and their first messages are each inserted
 * in one statement (events are batched under `withEventBatch`). Returns one result per draft, in order.
 * All or nothing: call inside a transaction; a duplicate externalId fails them all.
 */
export async function createTickets(ctx: Ctx, drafts: TicketDraft[], opts: { sla?: boolean } = {}): Promise<{ ticket: Ticket; message: Message }[]> {
  if (!drafts.length) return [];
  const people = await resolveCustomerRefs(ctx, drafts.map((d) => d.input.customer));
  const now = ctx.now();
  let slas: object[] = drafts.map(() => ({}));
  if (opts.sla) {
    const accountIds = padToPowerOfTwo([...new Set(people.flatMap((c) => (c.accountId ? [c.accountId] : [])))]);
    const tiers = new Map(
      (accountIds.length ? await ctx.db.select({ id: accounts.id, tier: accounts.tier }).from(accounts).where(inArray(accounts.id, accountIds)) : []).map((a) => [a.id, a.tier]),
    );
    // The workspace's SLA settings read once for the group, in this transaction (not through the shared
    // configuration cache, whose pending reads may wait for this transaction to end).
    const settings = slaOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
    slas = drafts.map((d, i) => {
      const accountId = people[i]!.accountId;
      return slaTargetsOf(settings, (accountId && tiers.get(accountId)) ?? null, d.input.priority ?? 'normal', now);
    });
  }
  const ticketIds = drafts.map(() => randomUUID());
  const ticketRows = await mapUnique('A ticket with this externalId', () =>
    bulkInsert(
      ctx.db,
      tickets,
      drafts.map((d, i) => ({ id: ticketIds[i]!, ...newTicketValues(ctx, d.input, d.body, people[i]!.id, slas[i]!, now) })),
      NEW_TICKET_SEARCH,
    ),
  );
  const messageIds = drafts.map(() => randomUUID());
  const messageRows = await bulkInsert(
    ctx.db,
    messages,
    drafts.map((d, i) => ({
      id: messageIds[i]!,
      ...messageValues(ctx, ticketIds[i]!, { ...d.input.message, visibility: 'public' }, d.body, { type: 'customer', id: people[i]!.id }, now),
    })),
    { returning: messageColumns },
  );
  const ticketById = new Map(ticketRows.map((r) => [r.id, r]));
  const messageById = new Map(messageRows.map((r) => [r.id, r]));
  const results: { ticket: Ticket; message: Message }[] = [];
  for (const [i, d] of drafts.entries()) {
    const customerId = people[i]!.id;
    await appendEvent({ ...ctx, actor: d.actor }, 'ticket.created', ticketIds[i]!, { channel: d.input.channel, customerId });
    await appendEvent({ ...ctx, actor: { type: 'customer', id: customerId } }, 'message.created', ticketIds[i]!, { messageId: messageIds[i]!, authorType: 'customer', visibility: 'public' });
    results.push({ ticket: toTicket(ticketById.get(ticketIds[i]!)!), message: toMessage(messageById.get(messageIds[i]!)!) });
  }
  return results;
}

/**
 * Adds a message to a ticket and moves its lifecycle: a customer message wakes or reopens it, an agent's
 * public reply opens a new ticket and records the first response. Returns the message and the ticket after.
 */
export async function addMessage(
  ctx: Ctx,
  ticketId: string,
  input: MessageInput,
  author: { type: AuthorType; id: string | null },
): Promise<{ ticket: Ticket; message: Message }> {
  if (author.type === 'customer' && input.visibility === 'internal') {
    throw new DeskmindError('validation_failed', 'Customers cannot write internal notes', {
      issues: [{ path: 'visibility', message: 'internal notes are for agents' }],
    });
  }
  let row = await lockTicket(ctx, ticketId);
  if (input.visibility === 'public') {
    if (author.type === 'customer') row = await transition(ctx, row, { type: 'customer_message' });
    else if (author.type === 'agent' || author.type === 'assistant') row = await transition(ctx, row, { type: 'agent_reply' });
  }
  const { message, ticket } = await insertMessage(ctx, ticketId, input, author);
  return { ticket: toTicket(ticket), message };
}

/**
 * Changes a ticket's fields; a status change goes through the lifecycle state machine. `locked`: the ticket's
 * row as the caller locked it in this transaction (it is then not read again).
 */
export async function updateTicket(ctx: Ctx, id: string, patch: TicketPatch, opts: { locked?: TicketRow } = {}): Promise<Ticket> {
  let row = opts.locked ?? (await lockTicket(ctx, id));
  if (row.status === 'closed') throw new DeskmindError('ticket_closed', 'A closed ticket cannot be changed');
  const set: Partial<typeof tickets.$inferInsert> = {};
  if (patch.assigneeId !== undefined && patch.assigneeId !== row.assigneeId) {
    if (patch.assigneeId) {
      const [agent] = await ctx.db.select({ id: agents.id }).from(agents).where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, patch.assigneeId)));
      if (!agent) throw notFound('Agent', patch.assigneeId);
    }
    set.assigneeId = patch.assigneeId;
    await appendEvent(ctx, 'assignee.changed', id, { from: row.assigneeId, to: patch.assigneeId });
  }
  if (patch.teamId !== undefined && patch.teamId !== row.teamId) {
    if (patch.teamId) {
      const [team] = await ctx.db.select({ id: teams.id }).from(teams).where(and(eq(teams.workspaceId, ctx.workspaceId), eq(teams.id, patch.teamId)));
      if (!team) throw notFound('Team', patch.teamId);
    }
    set.teamId = patch.teamId;
    await appendEvent(ctx, 'team.changed', id, { from: row.teamId, to: patch.teamId });
  }
  if (patch.priority && patch.priority !== row.priority) {
    set.priority = patch.priority;
    await appendEvent(ctx, 'ticket.priority_changed', id, { from: row.priority, to: patch.priority });
  }
  if (patch.intent !== undefined && patch.intent !== row.intent) {
    set.intent = patch.intent;
    set.intentConfidence = null;
    await appendEvent(ctx, 'ticket.intent_changed', id, { from: row.intent, to: patch.intent });
  } else if (patch.intent && row.intentConfidence !== null && ctx.actor.type !== 'assistant') {
    // A person confirms the model's intent: it becomes a human label (no model confidence).
    set.intentConfidence = null;
    await appendEvent(ctx, 'ticket.intent_changed', id, { from: row.intent, to: patch.intent, confirmed: true });
  }
  if (patch.tags) {
    const tags = [...new Set(patch.tags)];
    if (tags.join('\u0000') !== row.tags.join('\u0000')) {
      set.tags = tags;
      await appendEvent(ctx, 'ticket.tags_changed', id, { from: row.tags, to: tags });
    }
  }
  if (patch.subject && patch.subject !== row.subject) {
    set.subject = patch.subject;
    await appendEvent(ctx, 'ticket.updated', id, { field: 'subject' });
  }
  if (Object.keys(set).length) {
    set.updatedAt = ctx.now();
    await ctx.db.update(tickets).set(set).where(eq(tickets.id, id));
    row = { ...row, ...set } as TicketRow;
  }
  if (patch.status) {
    const snoozedUntil = patch.snoozedUntil ? new Date(patch.snoozedUntil) : null;
    row = await transition(ctx, row, { type: 'set_status', to: patch.status, snoozedUntil });
  }
  // The row as written (every change above is tracked on it).
  return toTicket(row);
}

export async function getTicket(ctx: Ctx, id: string): Promise<Ticket> {
  const [row] = await ctx.db.select(ticketColumns).from(tickets).where(scope(ctx, id));
  if (!row) throw notFound('Ticket', id);
  return toTicket(row);
}

/** A ticket with its customer and messages (what the pipeline reads; no timeline nor decision record). */
export async function getTicketWithMessages(ctx: Ctx, id: string): Promise<TicketWithMessages> {
  const found = (await getTicketsWithMessages(ctx, [id])).get(id);
  if (!found) throw notFound('Ticket', id);
  return found;
}

export interface TicketWithMessages {
  ticket: Ticket;
  customer: Customer | null;
  messages: Message[];
}

/** Tickets with their customers and messages, in three statements whatever their number; unknown ids are absent. */
export async function getTicketsWithMessages(ctx: Ctx, ids: string[]): Promise<Map<string, TicketWithMessages>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await ctx.db.select(ticketColumns).from(tickets).where(and(eq(tickets.workspaceId, ctx.workspaceId), inArray(tickets.id, unique)));
  if (!rows.length) return new Map();
  const [msgRows, customers] = await Promise.all([
    ctx.db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, ctx.workspaceId), inArray(messages.ticketId, rows.map((r) => r.id))))
      .orderBy(asc(messages.createdAt), asc(messages.id)),
    getCustomers(ctx, rows.flatMap((r) => (r.customerId ? [r.customerId] : []))),
  ]);
  const byTicket = new Map<string, Message[]>();
  for (const m of msgRows) {
    const list = byTicket.get(m.ticketId) ?? [];
    list.push(toMessage(m));
    byTicket.set(m.ticketId, list);
  }
  return new Map(
    rows.map((r) => [r.id, { ticket: toTicket(r), customer: r.customerId ? (customers.get(r.customerId) ?? null) : null, messages: byTicket.get(r.id) ?? [] }]),
  );
}

/** A ticket with its customer, messages, timeline and decision record. */
export async function getTicketDetail(ctx: Ctx, id: string): Promise<TicketDetail> {
  const ticket = await getTicket(ctx, id);
  const [msgRows, timeline, decisionRows, customer] = await Promise.all([
    ctx.db.select().from(messages).where(and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, id))).orderBy(asc(messages.createdAt), asc(messages.id)),
    listTicketEvents(ctx, id),
    ctx.db.select().from(decisions).where(and(eq(decisions.workspaceId, ctx.workspaceId), eq(decisions.ticketId, id))).orderBy(asc(decisions.createdAt)),
    ticket.customerId ? getCustomer(ctx, ticket.customerId) : Promise.resolve(null),
  ]);
  return {
    ...ticket,
    customer,
    messages: msgRows.map(toMessage),
    timeline,
    decisions: decisionRows.map(({ workspaceId: _w, ticketId: _t, ...d }) => d),
  };
}

/** A page's position: the sort key of its last ticket and its id (the tie-breaker). */
const encodeCursor = (at: Date, id: string) => Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [iso, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const at = new Date(iso);
    if (Number.isNaN(at.getTime()) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad');
    return { at, id };
  } catch {
    throw new DeskmindError('validation_failed', 'The cursor is not valid', { issues: [{ path: 'cursor', message: 'invalid' }] });
  }
}

/**
 * The query behind the ticket list: every filter of `TicketListQuery`, newest first by the chosen sort
 * (created or updated), one row more than a page. Each filter has an index that serves it in that order
 * (migration 0017; test/list-indexes.test.ts checks the plans at 100k tickets).
 */
export function ticketListQuery(ctx: Ctx, query: TicketListQuery) {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const sortColumn = query.sort === 'updated' ? tickets.updatedAt : tickets.createdAt;
  const where = and(
    eq(tickets.workspaceId, ctx.workspaceId),
    query.status?.length ? inArray(tickets.status, query.status) : undefined,
    query.priority?.length ? inArray(tickets.priority, query.priority) : undefined,
    query.assigneeId === 'none' ? isNull(tickets.assigneeId) : query.assigneeId ? eq(tickets.assigneeId, query.assigneeId) : undefined,
    query.teamId ? eq(tickets.teamId, query.teamId) : undefined,
    query.intent ? eq(tickets.intent, query.intent) : undefined,
    query.tag ? arrayContains(tickets.tags, [query.tag]) : undefined,
    query.customerId ? eq(tickets.customerId, query.customerId) : undefined,
    query.accountId
      ? inArray(
          tickets.customerId,
          ctx.db.select({ id: customers.id }).from(customers).where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.accountId, query.accountId))),
        )
      : undefined,
    query.q ? sql`${tickets.search} @@ websearch_to_tsquery('english', ${query.q})` : undefined,
    cursor ? or(lt(sortColumn, cursor.at), and(lte(sortColumn, cursor.at), lt(tickets.id, cursor.id))) : undefined,
  );
  // A search starts from its matches (the search index) and sorts them: the planner, misjudging how rare a
  // phrase is, would otherwise walk the sort's index and test every ticket. `+ interval '0'` hides that index.
  const sortKey = query.q ? sql`${sortColumn} + interval '0 seconds'` : sortColumn;
  return ctx.db
    .select(ticketColumns)
    .from(tickets)
    .where(where)
    .orderBy(desc(sortKey), desc(tickets.id))
    .limit(query.limit + 1);
}

/** Tickets newest first (by creation or last update) with filters and full-text search, one page at a time. */
export async function listTickets(ctx: Ctx, query: TicketListQuery): Promise<{ data: Ticket[]; nextCursor: string | null }> {
  const rows = await ticketListQuery(ctx, query);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > query.limit && last ? encodeCursor(query.sort === 'updated' ? last.updatedAt : last.createdAt, last.id) : null;
  return { data: page.map(toTicket), nextCursor };
}

/**
 * The lifecycle sweep: closes resolved tickets quiet for `closeAfterHours` and wakes snoozed tickets whose
 * time has come. Returns how many tickets changed.
 */
export async function sweepLifecycle(ctx: Ctx, opts: { closeAfterHours: number }): Promise<{ closed: number; woken: number }> {
  const now = ctx.now();
  const quietSince = new Date(now.getTime() - opts.closeAfterHours * 3_600_000);
  const due = await ctx.db
    .select({ id: tickets.id, status: tickets.status })
    .from(tickets)
    .where(
      and(
        eq(tickets.workspaceId, ctx.workspaceId),
        or(
          and(eq(tickets.status, 'resolved'), lte(tickets.resolvedAt, quietSince)),
          and(eq(tickets.status, 'snoozed'), lte(tickets.snoozedUntil, now)),
        ),
      ),
    )
    .limit(1000);
  let closed = 0;
  let woken = 0;
  for (const t of due) {
    const row = await lockTicket(ctx, t.id);
    const action: LifecycleAction = row.status === 'resolved' ? { type: 'quiet_period_elapsed' } : { type: 'snooze_expired' };
    const after = await transition(ctx, row, action);
    if (after.status === 'closed') closed++;
    if (row.status === 'snoozed' && after.status === 'open') woken++;
  }
  return { closed, woken };
}
