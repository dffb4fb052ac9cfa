import type { AuthorType } from '../domain/enums.js';
import { DeskmindError } from '../domain/errors.js';
import type { Message, MessageInput, Ticket } from '../domain/schemas.js';
import type { Ctx } from '../store/ctx.js';
import { toTicket, lockTicket, transition, insertMessage } from './ticket-rows.js';

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
    else if (author.type === 'agent' || author.type === 'assistant')
      row = await transition(ctx, row, { type: 'agent_reply' });
  }
  const { message, ticket } = await insertMessage(ctx, ticketId, input, author);
  return { ticket: toTicket(ticket), message };
}
