/** Shared reads of a ticket's messages, each written once. */
import { and, asc, desc, eq } from 'drizzle-orm';
import { DRAFT_PREFIX } from '../../domain/tags.js';
import { anyOf } from '../bulk.js';
import type { Ctx } from '../ctx.js';
import type { DbOrTx } from '../db.js';
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

/** Tickets read per query by {@link firstCustomerMessages}. */
const FIRST_MESSAGES_CHUNK = 1000;

/**
 * The first customer message (its text) of each of these tickets of the workspace that has one, read a chunk of
 * tickets at a time (only the tickets asked for, never every ticket's).
 */
export async function firstCustomerMessages(
  db: DbOrTx,
  workspaceId: string,
  ticketIds: readonly string[],
): Promise<Map<string, string>> {
  const first = new Map<string, string>();
  for (let i = 0; i < ticketIds.length; i += FIRST_MESSAGES_CHUNK) {
    const msgs = await db
      .select({ ticketId: messages.ticketId, text: messages.bodyText })
      .from(messages)
      .where(
        and(
          eq(messages.workspaceId, workspaceId),
          eq(messages.authorType, 'customer'),
          anyOf(messages.ticketId, ticketIds.slice(i, i + FIRST_MESSAGES_CHUNK)),
        ),
      )
      .orderBy(asc(messages.createdAt), asc(messages.id));
    for (const m of msgs) if (!first.has(m.ticketId)) first.set(m.ticketId, m.text);
  }
  return first;
}
