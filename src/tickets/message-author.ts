import type { AuthorType } from '../domain/enums.js';
import { DeskmindError } from '../domain/errors.js';
import type { MessageInput } from '../domain/schemas.js';
import type { Principal } from '../people/principal.js';
import type { Ctx } from '../store/ctx.js';
import { getTicket } from './get-ticket.js';

/**
 * Who a message sent through the API is written as. A session writes as its agent. An API key writes as
 * the ticket's customer unless `authorType` says otherwise; ingest keys write customer messages only, and
 * only admin keys write as the assistant or the system.
 */
export async function messageAuthor(
  ctx: Ctx,
  principal: Principal,
  ticketId: string,
  input: Pick<MessageInput, 'authorType' | 'authorId'>,
): Promise<{ type: AuthorType; id: string | null }> {
  if (principal.kind === 'agent') {
    if (input.authorType && input.authorType !== 'agent')
      throw new DeskmindError('forbidden', 'A session writes as its agent');
    return { type: 'agent', id: principal.agentId };
  }
  const type = input.authorType ?? 'customer';
  if (principal.role === 'ingest' && type !== 'customer')
    throw new DeskmindError('forbidden', 'An ingest key writes customer messages only');
  if ((type === 'assistant' || type === 'system') && principal.role !== 'admin') {
    throw new DeskmindError('forbidden', 'Only admin keys write as the assistant or system');
  }
  // A customer message on a ticket is its customer's.
  if (type === 'customer') return { type, id: (await getTicket(ctx, ticketId)).customerId };
  return { type, id: input.authorId ?? null };
}
