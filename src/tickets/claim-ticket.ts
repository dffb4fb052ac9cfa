import { DeskmindError } from '../domain/errors.js';
import type { Ticket } from '../domain/schemas.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { getTicket } from './get-ticket.js';
import { updateTicket } from './update-ticket.js';

/** The acting agent takes an unassigned ticket (or one already theirs). */
export async function claimTicket(ctx: Ctx, ticketId: string, agentId: string): Promise<Ticket> {
  return inTransaction(ctx, async (ctx) => {
    const ticket = await getTicket(ctx, ticketId);
    if (ticket.assigneeId && ticket.assigneeId !== agentId)
      throw new DeskmindError('conflict', 'The ticket is already assigned to someone else; transfer it instead');
    return updateTicket(ctx, ticketId, {
      assigneeId: agentId,
      ...(ticket.status === 'new' ? { status: 'open' as const } : {}),
    });
  });
}
