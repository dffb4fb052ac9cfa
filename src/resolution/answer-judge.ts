/**
 * The answer judgement's model per workspace: the prior until the workspace has outcomes of its own, then
 * weights refitted on them (with the learning sweep, once a day), kept in `workspaces.settings.answerJudge`.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { classifyOutcome, FAILED_OUTCOMES, type TimelineFact } from '../learning/outcomes.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';
import { workspaces } from '../store/schema.js';
import { stageDecisions } from '../store/repos/decisions.js';
import { ticketFactEvents } from '../store/repos/events.js';
import {
  AnswerJudgeWeightsSchema,
  fitAnswerJudge,
  PRIOR_ANSWER_JUDGE,
  PRIOR_ANSWER_JUDGE_LEXICAL,
  type AnswerFeatures,
  type AnswerJudgeWeights,
  type AnswerSample,
} from './verification.js';

/** Answers with a known outcome needed before the workspace's own weights replace the prior. */
export const MIN_JUDGE_SAMPLES = 30;

/** What is stored on the workspace once refitted. */
export const StoredAnswerJudgeSchema = AnswerJudgeWeightsSchema.extend({
  samples: z.number().int(),
  successes: z.number().int(),
  fittedAt: z.string(),
});
export type StoredAnswerJudge = z.infer<typeof StoredAnswerJudgeSchema>;

/**
 * The model a workspace's answers are judged with: its refitted weights, else the prior — the lexical one when no
 * sentence encoder measured `semantic` (`opts.semantic` false). A fit stored before a feature existed does not
 * parse and gives way to the prior until the next refit.
 */
export function answerJudgeOf(
  settings: Record<string, unknown> | null | undefined,
  opts: { semantic?: boolean } = {},
): { weights: AnswerJudgeWeights; source: 'prior' | 'workspace' } {
  const parsed = StoredAnswerJudgeSchema.safeParse(settings?.answerJudge);
  if (parsed.success) return { weights: { bias: parsed.data.bias, weights: parsed.data.weights }, source: 'workspace' };
  return { weights: opts.semantic === false ? PRIOR_ANSWER_JUDGE_LEXICAL : PRIOR_ANSWER_JUDGE, source: 'prior' };
}

/**
 * The workspace's judged answers of the lookback with what became of them: each reply the assistant sent
 * (the resolve stage's `verification.features`) is a success when it held (confirmed, or no complaint in
 * the window) and a failure when the ticket reopened, the customer asked for a human or an agent marked it
 * wrong. Pending answers are left out.
 */
export async function answerSamples(
  ctx: Ctx,
  opts: { lookbackDays: number; windowHours: number },
): Promise<AnswerSample[]> {
  const now = ctx.now();
  const from = new Date(now.getTime() - opts.lookbackDays * 86_400_000);
  const recs = await stageDecisions(ctx.db, 'resolve', { workspaceId: ctx.workspaceId, from }, 'oldest');
  const judged = new Map<string, AnswerFeatures>();
  for (const { ticketId, result } of recs) {
    if ('composed' in result && result.composed && result.path === 'resolve' && result.verification)
      if (!judged.has(ticketId)) judged.set(ticketId, result.verification.features);
  }
  if (!judged.size) return [];
  const evs = await ticketFactEvents(ctx.db, ctx.workspaceId, { ticketIds: [...judged.keys()] }, [
    'message.created',
    'ticket.reopened',
    'outcome.recorded',
  ]);
  const timelines = new Map<string, TimelineFact[]>();
  for (const e of evs) timelines.set(e.ticketId!, [...(timelines.get(e.ticketId!) ?? []), e]);
  const samples: AnswerSample[] = [];
  for (const [ticketId, features] of judged) {
    const verdict = classifyOutcome(timelines.get(ticketId) ?? [], { now, windowHours: opts.windowHours });
    if (!verdict || verdict.outcome === 'pending') continue;
    samples.push({ features, success: !FAILED_OUTCOMES.includes(verdict.outcome) });
  }
  return samples;
}

/**
 * Refits the workspace's answer judgement on its outcomes (pulled toward the prior) once it has
 * `MIN_JUDGE_SAMPLES` of them, stores it and records `settings.changed {section: 'answer_judge'}`.
 * Returns null when there is too little evidence. Call inside a transaction.
 */
export async function refitAnswerJudge(
  ctx: Ctx,
  opts: { lookbackDays: number; windowHours: number },
): Promise<StoredAnswerJudge | null> {
  const samples = await answerSamples(ctx, opts);
  const successes = samples.filter((s) => s.success).length;
  // Both kinds of outcome are needed to learn anything beyond the prior.
  if (samples.length < MIN_JUDGE_SAMPLES || successes === 0 || successes === samples.length) return null;
  const fitted = fitAnswerJudge(samples, PRIOR_ANSWER_JUDGE);
  const stored: StoredAnswerJudge = {
    ...fitted,
    samples: samples.length,
    successes,
    fittedAt: ctx.now().toISOString(),
  };
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  await ctx.db
    .update(workspaces)
    .set({ settings: { ...ws.settings, answerJudge: stored } })
    .where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, {
    section: 'answer_judge',
    before: ws.settings.answerJudge ?? null,
    after: stored,
  });
  return stored;
}
