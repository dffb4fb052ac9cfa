import { DeskmindError } from '../domain/errors.js';
import { AI_ANSWERED, DRAFT_PREFIX } from '../domain/tags.js';
import type { Ticket } from '../domain/schemas.js';
import { waitingDraft } from '../store/repos/messages.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { addMessage } from './add-message.js';
import { getTicket } from './get-ticket.js';
import { updateTicket } from './update-ticket.js';

/**
 * Sends the assistant's latest draft (shadow mode) after a human approved it, possibly edited: as the
 * assistant when unchanged, as the agent when edited. The ticket is then resolved pending the customer.
 */
export async function approveDraft(ctx: Ctx, ticketId: string, edited?: string): Promise<Ticket> {
  return inTransaction(ctx, async (ctx) => {
    const draft = await waitingDraft(ctx, ticketId);
    if (!draft) throw new DeskmindError('not_found', 'This ticket has no draft from the assistant');
    const original = draft.bodyText.slice(DRAFT_PREFIX.length);
    const text = edited?.trim() || original;
    const author =
      text === original ? { type: 'assistant' as const, id: null } : { type: 'agent' as const, id: ctx.actor.id };
    await addMessage(ctx, ticketId, { text, visibility: 'public', attachments: [] }, author);
    await appendEvent(ctx, 'outcome.recorded', ticketId, {
      outcome: text === original ? 'draft_approved' : 'draft_edited',
    });
    const ticket = await getTicket(ctx, ticketId);
    return updateTicket(ctx, ticketId, { status: 'resolved', tags: [...new Set([...ticket.tags, AI_ANSWERED])] });
  });
}
