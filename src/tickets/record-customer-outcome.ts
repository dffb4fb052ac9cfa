import { DeskmindError } from '../domain/errors.js';
import { AI_ANSWERED, HUMAN_REQUESTED } from '../domain/tags.js';
import type { Ticket } from '../domain/schemas.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { snapshotTicket } from '../handoff/packet.js';
import { getTicket } from './get-ticket.js';
import { updateTicket } from './update-ticket.js';

/**
 * The customer's own controls: "this solved it" confirms (or sets) the resolution; "I need a human"
 * reopens the ticket for a person, and the assistant will not answer it again.
 */
export async function recordCustomerOutcome(
  ctx: Ctx,
  ticketId: string,
  outcome: 'solved' | 'need_human',
): Promise<Ticket> {
  return inTransaction(ctx, async (ctx) => {
    const ticket = await getTicket(ctx, ticketId);
    if (ticket.status === 'closed') throw new DeskmindError('ticket_closed');
    const customer = { ...ctx, actor: { type: 'customer' as const, id: ticket.customerId } };
    if (outcome === 'solved') {
      await appendEvent(customer, 'outcome.recorded', ticketId, {
        outcome: 'confirmed_solved',
        aiAnswered: ticket.tags.includes(AI_ANSWERED),
      });
      return ticket.status === 'resolved'
        ? getTicket(ctx, ticketId)
        : updateTicket(customer, ticketId, { status: 'resolved' });
    }
    await appendEvent(customer, 'outcome.recorded', ticketId, {
      outcome: 'asked_for_human',
      aiAnswered: ticket.tags.includes(AI_ANSWERED),
    });
    const tags = [...new Set([...ticket.tags, HUMAN_REQUESTED])];
    const updated = await updateTicket(customer, ticketId, {
      tags,
      ...(ticket.status === 'resolved' || ticket.status === 'snoozed' || ticket.status === 'pending'
        ? { status: 'open' as const }
        : {}),
    });
    await appendEvent(customer, 'ticket.handed_off', ticketId, {
      reason: 'human_requested',
      detail: 'the customer asked for a human',
      packet: await snapshotTicket(ctx, ticketId),
    });
    return updated;
  });
}
