import { and, asc, eq, inArray } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Customer, Message, Ticket, TicketDetail } from '../domain/schemas.js';
import { decisions, messages, ticketColumns, tickets } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { getCustomer, getCustomers } from '../people/get-customer.js';
import { listTicketEvents } from '../events/timeline.js';
import { toTicket, toMessage, scope } from './ticket-rows.js';

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
  const rows = await ctx.db
    .select(ticketColumns)
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), inArray(tickets.id, unique)));
  if (!rows.length) return new Map();
  const [msgRows, customers] = await Promise.all([
    ctx.db
      .select()
      .from(messages)
      .where(
        and(
          eq(messages.workspaceId, ctx.workspaceId),
          inArray(
            messages.ticketId,
            rows.map((r) => r.id),
          ),
        ),
      )
      .orderBy(asc(messages.createdAt), asc(messages.id)),
    getCustomers(
      ctx,
      rows.flatMap((r) => (r.customerId ? [r.customerId] : [])),
    ),
  ]);
  const byTicket = new Map<string, Message[]>();
  for (const m of msgRows) {
    const list = byTicket.get(m.ticketId) ?? [];
    list.push(toMessage(m));
    byTicket.set(m.ticketId, list);
  }
  return new Map(
    rows.map((r) => [
      r.id,
      {
        ticket: toTicket(r),
        customer: r.customerId ? (customers.get(r.customerId) ?? null) : null,
        messages: byTicket.get(r.id) ?? [],
      },
    ]),
  );
}

/** A ticket with its customer, messages, timeline and decision record. */
export async function getTicketDetail(ctx: Ctx, id: string): Promise<TicketDetail> {
  const ticket = await getTicket(ctx, id);
  const [msgRows, timeline, decisionRows, customer] = await Promise.all([
    ctx.db
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, id)))
      .orderBy(asc(messages.createdAt), asc(messages.id)),
    listTicketEvents(ctx, id),
    ctx.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.workspaceId, ctx.workspaceId), eq(decisions.ticketId, id)))
      .orderBy(asc(decisions.createdAt)),
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
