import type { Embedder } from '../../knowledge/embedders.js';
import { retrieve } from '../../knowledge/retrieval.js';
import { composeAnswer } from '../../resolution/compose.js';
import { draftReply, judgeReply, type LlmProvider } from '../../resolution/llm.js';
import { findPlaybook } from '../../resolution/playbooks.js';
import { runAction } from '../../resolution/actions.js';
import type { ActionResult, Playbook } from '../../resolution/schemas.js';
import { answerJudgeOf } from '../../resolution/answer-judge.js';
import {
  answerFeatures,
  backgroundOf,
  judgeCandidates,
  verifyAnswer,
  type AnswerEvidence,
  type AnswerJudgeWeights,
  askOf,
} from '../../resolution/verification.js';
import type { Ctx } from '../../store/ctx.js';
import { getWorkspace } from '../../people/get-workspace.js';
import type { Database } from '../../store/db.js';
import type { AnswerJudgeInput, ComposedReply, PipelineInput, PipelinePorts } from '../types.js';
import type { PlaybookView, ReplyVerification, RetrievedPassage } from '../../domain/stage-results.js';
import { askText } from '../stages/understand.js';
import { billingNotice, customerFacts } from '../../resolution/facts.js';
import type { PassageVectors } from '../../knowledge/passage-vectors.js';

/** The knowledge, playbook and composition ports of the pipeline, over the database and the configured providers. */
export function resolutionPorts(deps: {
  database: Pick<Database, 'db'>;
  embedder: Embedder;
  /** Sentence vectors for the `semantic` evidence of the answer judgement (null or absent: words only). */
  passageVectors?: PassageVectors | null | undefined;
  llm: LlmProvider | null;
  /** With an LLM: also ask the model whether its draft answers the question (DESKMIND_LLM_JUDGE). */
  llmJudge?: boolean | undefined;
  now: () => Date;
  fetch?: typeof fetch;
}): Pick<PipelinePorts, 'retrieve' | 'playbook' | 'compose'> {
  const ctx = (workspaceId: string): Ctx => ({
    db: deps.database.db,
    workspaceId,
    actor: { type: 'assistant', id: null },
    now: deps.now,
  });

  async function compose(
    input: PipelineInput,
    view: PlaybookView,
    passages: RetrievedPassage[],
    judge: AnswerJudgeInput,
  ): Promise<ComposedReply> {
    const c = ctx(input.workspaceId);
    const playbook = await findPlaybook(c, view.intent);
    if (!playbook) return { ok: false, reason: 'no_playbook', detail: `the playbook of ${view.intent} was removed` };
    const question = askText(input);
    const reply = {
      customer: input.customer
        ? {
            id: input.customer.id,
            name: input.customer.name,
            email: input.customer.email,
            externalId: input.customer.externalId,
          }
        : null,
      account: input.account
        ? {
            id: input.account.id,
            name: input.account.name,
            externalId: input.account.externalId,
            plan: input.account.plan,
            tier: input.account.tier,
            billingState: input.account.billingState,
          }
        : null,
      ticket: { id: input.ticket.id, subject: input.ticket.subject },
      facts: customerFacts(input.enrichment, input.account),
    };
    if (playbook.kind === 'action') return composeAction(c, playbook, question, reply);
    // One judgement for both paths: which passage answers the ask, and is it sure enough to send?
    // The rivals (other intents' articles) are measured with the passages, the ask encoded once: one closer in meaning
    // to the ask is evidence that the intent is wrong.
    const measuredAll = await withSemantic(deps.passageVectors, askOf(question, judge.names ?? []), [
      ...passages,
      ...(judge.rivals ?? []),
    ]);
    passages = measuredAll.slice(0, passages.length);
    const semantic = passages.length > 0 && passages.every((p) => p.semantic !== undefined);
    const measured = semantic
      ? measuredAll
          .slice(passages.length)
          .filter((r) => r.semantic !== undefined)
          .map((r) => r.semantic!)
      : [];
    judge = { ...judge, rivalSemantic: measured.length ? Math.max(...measured) : undefined };
    const model = answerJudgeOf((await getWorkspace(c.db, c.workspaceId)).settings, { semantic });
    // A past-due account asking about access or paying: its billing facts (the payment that failed, when, where to
    // pay) are one more candidate answer, judged with the passages.
    const notice = reply.facts ? billingNotice(question, reply.facts) : null;
    const judged = judgePassages(question, passages, judge, model, notice);
    if (!judged) return { ok: false, reason: 'ungrounded', detail: 'no passage answers the question' };
    const { best } = judged;
    if (!best.passed) return { ok: false, reason: 'off_question', detail: best.explanation, verification: best };
    if (best.articleId === null) {
      const answer = composeAnswer({ playbook, question, passages: [], ...reply });
      return {
        ok: true,
        text: answer.text,
        html: answer.html ?? null,
        sources: [],
        via: 'extractive',
        grounding: 1,
        verification: best,
      };
    }
    // Answer from the article judged to answer the ask; other articles' sentences would be off the question.
    const chosen = passages.filter((p) => p.articleId === best.articleId);
    if (deps.llm) {
      const draft = await draftReply(deps.llm, { playbook, question, passages: chosen, ...reply });
      if (!draft.ok) return { ok: false, reason: draft.reason, detail: draft.detail, verification: best };
      // The draft must pass the same judgement on its own sentences: its coverage of the ask is its own, and its
      // article's title counts only as far as the draft itself covers the ask.
      const body = draft.sentences
        .filter((s) => s.source !== 'template')
        .map((s) => s.text)
        .join(' ');
      const own = answerFeatures({ ...judged.evidence, answer: body, title: '', heading: null }).features.coverage;
      const ofDraft = verifyAnswer(
        {
          ...judged.evidence,
          answer: body,
          title: '',
          heading: null,
          gap: judged.gap,
          titleCoverage: Math.min(best.features.titleCoverage, own),
        },
        judge.threshold,
        model,
      );
      const verification: ReplyVerification = { ...best, draft: ofDraft };
      if (!ofDraft.passed)
        return { ok: false, reason: 'off_question', detail: `the draft: ${ofDraft.explanation}`, verification };
      if (deps.llmJudge !== false) {
        const verdict = await judgeReply(deps.llm, {
          question,
          reply: body,
          passages: chosen,
          customer: reply.customer,
        });
        if (!verdict.ok)
          return { ok: false, reason: verdict.reason, detail: `LLM judge: ${verdict.detail}`, verification };
        verification.llmJudge = { answers: verdict.answers, cited: verdict.cited, detail: verdict.detail };
        if (!verdict.answers) return { ok: false, reason: 'off_question', detail: verdict.detail, verification };
      }
      return {
        ok: true,
        text: draft.text,
        html: draft.html ?? null,
        sources: draft.sources,
        via: 'llm',
        grounding: draft.groundingScore,
        verification,
      };
    }
    const answer = composeAnswer({ playbook, question, passages: chosen, ...reply });
    if (answer.sources.length === 0)
      return { ok: false, reason: 'ungrounded', detail: 'no passage answers the question', verification: best };
    if (answer.groundingScore < 1)
      return {
        ok: false,
        reason: 'ungrounded',
        detail: `grounding ${answer.groundingScore.toFixed(2)} < 1`,
        verification: best,
      };
    return {
      ok: true,
      text: answer.text,
      html: answer.html ?? null,
      sources: answer.sources,
      via: 'extractive',
      grounding: answer.groundingScore,
      verification: best,
    };
  }

  async function composeAction(
    c: Ctx,
    playbook: Playbook,
    question: string,
    reply: Parameters<typeof runAction>[1],
  ): Promise<ComposedReply> {
    if (!playbook.action) return { ok: false, reason: 'no_action', detail: 'the action playbook has no action' };
    const { signingSecret } = await getWorkspace(c.db, c.workspaceId);
    const result: ActionResult = await runAction(playbook.action, reply, {
      signingSecret,
      playbookId: playbook.id,
      now: deps.now,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    if (!result.ok)
      return {
        ok: false,
        reason: 'action_failed',
        detail: `${result.error?.code ?? 'error'}: ${result.error?.message ?? 'the action failed'}`,
      };
    const answer = composeAnswer({ playbook, question, passages: [], ...reply, actionResult: result });
    return {
      ok: true,
      text: answer.text,
      html: answer.html ?? null,
      sources: [],
      via: 'extractive',
      grounding: answer.groundingScore,
      action: { status: result.status, durationMs: result.durationMs },
    };
  }

  return {
    async retrieve(workspaceId, query, opts) {
      const { hits } = await retrieve(ctx(workspaceId), deps.embedder, query, {
        k: opts.k,
        intent: opts.intent,
        tier: opts.tier,
      });
      return hits.map((h) => ({
        articleId: h.articleId,
        title: h.articleTitle,
        text: h.text,
        score: h.score,
        intentMatch: h.intentMatch,
        heading: h.heading,
        lexical: h.ftsRank,
        usefulness: h.usefulness,
      }));
    },
    async playbook(workspaceId, intent) {
      const p = await findPlaybook(ctx(workspaceId), intent);
      return p ? { intent: p.intent, kind: p.kind, mode: p.mode, threshold: p.threshold } : null;
    },
    compose,
  };
}

/**
 * The passages with their `semantic` similarity to the ask (measured only when the judgement runs: lazily, once per
 * ticket). Without passage vectors, or when the encoder fails, they are returned as they are (judged on words).
 */
export async function withSemantic(
  vectors: PassageVectors | null | undefined,
  ask: string,
  passages: RetrievedPassage[],
): Promise<RetrievedPassage[]> {
  if (!vectors || !passages.length || passages.every((p) => p.semantic !== undefined)) return passages;
  const semantic = await vectors.similarity(ask, passages).catch(() => null);
  return semantic ? passages.map((p, i) => ({ ...p, semantic: Math.round(semantic[i]! * 1000) / 1000 })) : passages;
}

/** The evidence of one passage for the answer judgement. */
function evidenceOf(
  question: string,
  p: RetrievedPassage,
  judge: AnswerJudgeInput,
  runnerUp: number,
  background: Set<string>[],
): AnswerEvidence {
  return {
    ask: question,
    articleId: p.articleId,
    names: judge.names,
    answer: p.text,
    title: p.title,
    heading: p.heading,
    intentMatch: p.intentMatch,
    intentConfidence: judge.intentConfidence,
    lexical: p.lexical,
    score: p.score,
    runnerUp,
    usefulness: p.usefulness,
    semantic: p.semantic,
    rivalSemantic: judge.rivalSemantic,
    background,
  };
}

/**
 * Judges every retrieved passage — and the billing notice, when the customer's facts answer the ask — against the
 * ask and returns the most likely answer (with its article; null for the notice), its gap to the next candidate and
 * its evidence; null when there is no candidate.
 */
export function judgePassages(
  question: string,
  passages: RetrievedPassage[],
  judge: AnswerJudgeInput,
  model: { weights: AnswerJudgeWeights; source: 'prior' | 'workspace' },
  notice: string[] | null = null,
): { best: ReplyVerification; gap: number; evidence: AnswerEvidence } | null {
  const candidates: { passage: RetrievedPassage | null; evidence: AnswerEvidence }[] = candidateEvidence(
    question,
    passages,
    judge,
  );
  if (notice) {
    const evidence: AnswerEvidence = {
      ask: question,
      names: judge.names,
      answer: notice.join(' '),
      title: '',
      facts: true,
      intentMatch: true,
      intentConfidence: judge.intentConfidence,
    };
    candidates.push({ passage: null, evidence });
  }
  const judged = judgeCandidates(
    candidates.map((c) => c.evidence),
    judge.threshold,
    model,
  );
  if (!judged) return null;
  const { passage, evidence } = candidates[judged.index]!;
  return { best: { ...judged.verification, articleId: passage?.articleId ?? null }, gap: judged.gap, evidence };
}

/** The judgement's evidence for each retrieved passage (the other articles' best score as its runner-up). */
export function candidateEvidence(
  question: string,
  passages: RetrievedPassage[],
  judge: AnswerJudgeInput,
): { passage: RetrievedPassage; evidence: AnswerEvidence }[] {
  const background = backgroundOf(passages.map((p) => `${p.title}\n${p.text}`));
  return passages.map((p) => {
    const runnerUp = Math.max(0, ...passages.filter((o) => o.articleId !== p.articleId).map((o) => o.score));
    return { passage: p, evidence: evidenceOf(question, p, judge, runnerUp, background) };
  });
}
