import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { DRAFT_PREFIX } from '../domain/tags.js';
import { events, messages } from '../store/schema.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';

/**
 * When an agent answers a ticket themselves while the assistant's draft waits for approval, the draft
 * was discarded: recorded once, as an outcome the learning loop counts.
 */
export async function recordDraftDiscarded(ctx: Ctx, ticketId: string): Promise<boolean> {
  return inTransaction(ctx, async (ctx) => {
    const [draft] = await ctx.db
      .select({ createdAt: messages.createdAt, text: messages.bodyText })
      .from(messages)
      .where(
        and(
          eq(messages.workspaceId, ctx.workspaceId),
          eq(messages.ticketId, ticketId),
          eq(messages.authorType, 'assistant'),
          eq(messages.visibility, 'internal'),
        ),
      )
      .orderBy(desc(messages.createdAt))
      .limit(1);
    if (!draft?.text.startsWith(DRAFT_PREFIX)) return false;
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
