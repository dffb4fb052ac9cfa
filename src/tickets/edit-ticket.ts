import type { Ticket, TicketPatch } from '../domain/schemas.js';
import { applySla } from '../sla/state.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { getTicket } from './get-ticket.js';
import { updateTicket } from './update-ticket.js';

/** A person changes a ticket: the change and, with a new priority, its new SLA targets, in one transaction. */
export function editTicket(ctx: Ctx, id: string, patch: TicketPatch): Promise<Ticket> {
  return inTransaction(ctx, async (ctx) => {
    const updated = await updateTicket(ctx, id, patch);
    if (patch.priority) await applySla(ctx, updated.id); // new priority, new targets
    return getTicket(ctx, updated.id);
  });
}
