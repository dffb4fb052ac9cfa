import { and, eq, inArray, sql } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import { articles, events, messages } from '../store/schema.js';
import { assistantMessagesOf } from '../store/repos/messages.js';
import { latestComposedReply } from '../store/repos/decisions.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getTicket } from './get-ticket.js';

/** How much one "wrong" verdict lowers the usefulness of the articles the answer came from. */
export const WRONG_ANSWER_PENALTY = 0.85;

/**
 * An agent marks the assistant's answer on a ticket good or wrong. The verdict is an outcome event
 * (for learning and metrics); a wrong answer lowers its source articles' usefulness.
 */
export async function markAiAnswer(ctx: Ctx, ticketId: string, verdict: 'good' | 'wrong', note?: string) {
  return inTransaction(ctx, async (ctx) => {
    await getTicket(ctx, ticketId);
    const answered = await ctx.db
      .select({ id: messages.id })
      .from(messages)
      .where(assistantMessagesOf(ctx, ticketId))
      .limit(1);
    if (answered.length === 0) throw new DeskmindError('not_found', 'The assistant has not answered this ticket');
    const resolve = await latestComposedReply(ctx.db, ticketId);
    const sources = (resolve?.sources ?? []).map((s) => s.articleId);
    if (verdict === 'wrong' && sources.length) {
      await ctx.db
        .update(articles)
        .set({ usefulness: sql`${articles.usefulness} * ${WRONG_ANSWER_PENALTY}` })
        .where(and(eq(articles.workspaceId, ctx.workspaceId), inArray(articles.id, sources)));
    }
    await appendEvent(ctx, 'outcome.recorded', ticketId, {
      outcome: verdict === 'good' ? 'ai_answer_good' : 'ai_answer_wrong',
      articles: sources,
      ...(note ? { note } : {}),
    });
    const recorded = await ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(events)
      .where(and(eq(events.ticketId, ticketId), eq(events.type, 'outcome.recorded')));
    return { verdict, articles: sources, outcomes: recorded[0]?.n ?? 0 };
  });
}
