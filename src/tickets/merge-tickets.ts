import { and, eq, sql } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import type { Ticket } from '../domain/schemas.js';
import { messages, tickets } from '../store/schema.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { addMessage } from './add-message.js';
import { getTicket } from './get-ticket.js';
import { updateTicket } from './update-ticket.js';

/**
 * Merges a duplicate into another ticket of the same workspace: its messages move to the target (in
 * time order), its tags join the target's, and the duplicate is closed with a pointer to the target.
 */
export async function mergeTickets(ctx: Ctx, sourceId: string, targetId: string): Promise<Ticket> {
  return inTransaction(ctx, async (ctx) => {
    if (sourceId === targetId)
      throw new DeskmindError('validation_failed', 'A ticket cannot be merged into itself', {
        issues: [{ path: 'into', message: 'same ticket' }],
      });
    const [source, target] = [await getTicket(ctx, sourceId), await getTicket(ctx, targetId)];
    if (target.status === 'closed') throw new DeskmindError('ticket_closed', 'The target ticket is closed');
    if (source.status === 'closed') throw new DeskmindError('ticket_closed', 'The duplicate is already closed');
    const moved = await ctx.db
      .update(messages)
      .set({ ticketId: targetId })
      .where(and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, sourceId)))
      .returning({ id: messages.id, text: messages.bodyText });
    await ctx.db
      .update(tickets)
      .set({
        search: sql`coalesce(${tickets.search}, ''::tsvector) || coalesce((select search from tickets t where t.id =
            ${sourceId}), ''::tsvector)`,
      })
      .where(eq(tickets.id, targetId));
    await updateTicket(ctx, targetId, { tags: [...new Set([...target.tags, ...source.tags])] });
    await appendEvent(ctx, 'ticket.merged', targetId, { from: sourceId, messages: moved.length });
    await addMessage(
      ctx,
      sourceId,
      { text: `Merged into ticket ${targetId}.`, visibility: 'internal', attachments: [] },
      { type: 'system', id: null },
    );
    await appendEvent(ctx, 'ticket.merged', sourceId, { into: targetId, messages: moved.length });
    if (source.status !== 'resolved')
      await updateTicket(ctx, sourceId, { status: 'resolved', tags: [...new Set([...source.tags, 'merged'])] });
    await updateTicket(ctx, sourceId, { status: 'closed' });
    return getTicket(ctx, targetId);
  });
}
