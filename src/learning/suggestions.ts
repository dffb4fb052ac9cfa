import { and, eq, gte, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { contentWords } from '../resolution/text.js';
import type { Ctx } from '../store/ctx.js';
import { autonomyOf } from '../domain/settings.js';
import { getWorkspace } from '../people/get-workspace.js';
import { events, tickets } from '../store/schema.js';
import { stageDecisions } from '../store/repos/decisions.js';
import { firstCustomerMessages } from '../store/repos/messages.js';

/** Hand-off reasons that mean "the knowledge base had no answer". */
export const NO_ANSWER_REASONS: readonly string[] = [
  'retrieval_confident',
  'compose_ungrounded',
  'compose_off_question',
  'compose_empty',
];

export const ArticleSuggestionSchema = z.object({
  intent: z.string().nullable(),
  tickets: z.number(),
  keyPhrases: z.array(z.string()),
  examples: z.array(z.object({ id: z.uuid(), subject: z.string() })),
});
export type ArticleSuggestion = z.infer<typeof ArticleSuggestionSchema>;

/**
 * Suggestions for new articles: recent handed-off tickets no article covered (retrieval below the
 * workspace's bar, or no grounded answer), grouped by intent, each group with its most characteristic words and
 * examples,
 * biggest first.
 */
export async function suggestArticles(ctx: Ctx, opts: { days: number; limit: number }): Promise<ArticleSuggestion[]> {
  const since = new Date(ctx.now().getTime() - opts.days * 86_400_000);
  const handedOff = await ctx.db
    .select({ ticketId: events.ticketId, data: events.data })
    .from(events)
    .where(
      and(eq(events.workspaceId, ctx.workspaceId), eq(events.type, 'ticket.handed_off'), gte(events.createdAt, since)),
    );
  const candidates = [...new Set(handedOff.map((e) => e.ticketId).filter((id): id is string => !!id))];
  if (candidates.length === 0) return [];
  // Unanswered: composing failed for lack of grounding, or retrieval found nothing good enough.
  const { minRetrievalScore } = autonomyOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
  const retrievals = await stageDecisions(ctx.db, 'retrieve', { ticketIds: candidates }, 'oldest');
  const best = new Map(retrievals.map((r) => [r.ticketId, 'bestScore' in r.result ? r.result.bestScore : undefined]));
  const noAnswerReason = new Set(
    handedOff.filter((e) => NO_ANSWER_REASONS.includes(String(e.data.reason))).map((e) => e.ticketId),
  );
  const ids = candidates.filter(
    (id) => noAnswerReason.has(id) || (best.has(id) && (best.get(id) ?? 0) < minRetrievalScore),
  );
  if (ids.length === 0) return [];
  const rows = await ctx.db
    .select({ id: tickets.id, subject: tickets.subject, intent: tickets.intent })
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), inArray(tickets.id, ids)));
  const textOf = await firstCustomerMessages(ctx.db, ctx.workspaceId, ids);

  // Words frequent in a group but rare across all unanswered tickets describe the group best.
  const wordsOf = new Map(rows.map((r) => [r.id, new Set(contentWords(`${r.subject} ${textOf.get(r.id) ?? ''}`))]));
  const docFreq = new Map<string, number>();
  for (const words of wordsOf.values()) for (const w of words) docFreq.set(w, (docFreq.get(w) ?? 0) + 1);
  const groups = new Map<string | null, typeof rows>();
  for (const r of rows) groups.set(r.intent, [...(groups.get(r.intent) ?? []), r]);
  return [...groups.entries()]
    .map(([intent, list]) => {
      const counts = new Map<string, number>();
      for (const r of list) for (const w of wordsOf.get(r.id)!) counts.set(w, (counts.get(w) ?? 0) + 1);
      const keyPhrases = [...counts.entries()]
        .map(([w, c]) => [w, c * Math.log(1 + rows.length / docFreq.get(w)!)] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([w]) => w);
      return {
        intent,
        tickets: list.length,
        keyPhrases,
        examples: list.slice(0, 5).map(({ id, subject }) => ({ id, subject })),
      };
    })
    .sort((a, b) => b.tickets - a.tickets)
    .slice(0, opts.limit);
}
