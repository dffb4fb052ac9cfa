import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { events } from '../store/schema.js';
import { waitingDraft } from '../store/repos/messages.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';

/**
 * When an agent answers a ticket themselves while the assistant's draft waits for approval, the draft
 * was discarded: recorded once, as an outcome the learning loop counts.
 */
export async function recordDraftDiscarded(ctx: Ctx, ticketId: string): Promise<boolean> {
  return inTransaction(ctx, async (ctx) => {
    const draft = await waitingDraft(ctx, ticketId);
    if (!draft) return false;
    const settled = await ctx.db
      .select({ id: events.id })
      .from(events)
      .where(
        and(
          eq(events.ticketId, ticketId),
          eq(events.type, 'outcome.recorded'),
          gte(events.createdAt, draft.createdAt),
          inArray(sql`${events.data} ->> 'outcome'`, ['draft_approved', 'draft_edited', 'draft_discarded']),
        ),
      )
      .limit(1);
    if (settled.length) return false;
    await appendEvent(ctx, 'outcome.recorded', ticketId, { outcome: 'draft_discarded' });
    return true;
  });
}
