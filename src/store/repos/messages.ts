/** Shared reads of a ticket's messages, each written once. */
import { and, desc, eq } from 'drizzle-orm';
import { DRAFT_PREFIX } from '../../domain/tags.js';
import type { Ctx } from '../ctx.js';
import { messages } from '../schema.js';

/** The assistant's messages on a ticket (its answers and its drafts), as a condition. */
export const assistantMessagesOf = (ctx: Pick<Ctx, 'workspaceId'>, ticketId: string) =>
  and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, ticketId), eq(messages.authorType, 'assistant'));

/**
 * The assistant's draft waiting on a ticket (shadow mode): its latest internal note when that note is a draft
 * (a later note of its own, or none, means no draft waits); undefined otherwise.
 */
export async function waitingDraft(ctx: Ctx, ticketId: string): Promise<typeof messages.$inferSelect | undefined> {
  const [note] = await ctx.db
    .select()
    .from(messages)
    .where(and(assistantMessagesOf(ctx, ticketId), eq(messages.visibility, 'internal')))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return note?.bodyText.startsWith(DRAFT_PREFIX) ? note : undefined;
}
