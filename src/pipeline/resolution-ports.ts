import type { Embedder } from '../knowledge/embedders.js';
import { retrieve } from '../knowledge/retrieval.js';
import { composeAnswer, draftReply, findPlaybook, runAction, type ActionResult, type LlmProvider, type Playbook } from '../resolution/index.js';
import type { Ctx } from '../services/context.js';
import { getWorkspace } from '../services/workspaces.js';
import type { Database } from '../store/db.js';
import type { ComposedReply, PipelineInput, PipelinePorts, PlaybookView, RetrievedPassage } from './types.js';
import { askText } from './understand.js';
import { customerFacts } from '../resolution/facts.js';

/** Least share of the question an extractive answer must cover to be sent. */
export const MIN_ANSWER_COVERAGE = 0.5;

/** The knowledge, playbook and composition ports of the pipeline, over the database and the configured providers. */
export function resolutionPorts(deps: {
  database: Pick<Database, 'db'>;
  embedder: Embedder;
  llm: LlmProvider | null;
  now: () => Date;
  fetch?: typeof fetch;
}): Pick<PipelinePorts, 'retrieve' | 'playbook' | 'compose'> {
  const ctx = (workspaceId: string): Ctx => ({ db: deps.database.db, workspaceId, actor: { type: 'assistant', id: null }, now: deps.now });

  async function compose(input: PipelineInput, view: PlaybookView, passages: RetrievedPassage[]): Promise<ComposedReply> {
    const c = ctx(input.workspaceId);
    const playbook = await findPlaybook(c, view.intent);
    if (!playbook) return { ok: false, reason: 'no_playbook', detail: `the playbook of ${view.intent} was removed` };
    const question = askText(input);
    const reply = {
      customer: input.customer ? { id: input.customer.id, name: input.customer.name, email: input.customer.email, externalId: input.customer.externalId } : null,
      account: input.account ? { id: input.account.id, name: input.account.name, externalId: input.account.externalId, plan: input.account.plan, tier: input.account.tier, billingState: input.account.billingState } : null,
      ticket: { id: input.ticket.id, subject: input.ticket.subject },
      facts: customerFacts(input.enrichment, input.account),
    };
    if (playbook.kind === 'action') return composeAction(c, playbook, question, reply);
    if (deps.llm) {
      const draft = await draftReply(deps.llm, { playbook, question, passages, ...reply });
      if (!draft.ok) return { ok: false, reason: draft.reason, detail: draft.detail };
      return { ok: true, text: draft.text, html: draft.html ?? null, sources: draft.sources, via: 'llm', grounding: draft.groundingScore };
    }
    const answer = composeAnswer({ playbook, question, passages, ...reply });
    if (answer.sources.length === 0) return { ok: false, reason: 'ungrounded', detail: 'no passage answers the question' };
    if (answer.groundingScore < 1) return { ok: false, reason: 'ungrounded', detail: `grounding ${answer.groundingScore.toFixed(2)} < 1` };
    if (answer.coverage < MIN_ANSWER_COVERAGE) return { ok: false, reason: 'ungrounded', detail: `the passages cover ${answer.coverage.toFixed(2)} of the question (min ${MIN_ANSWER_COVERAGE})` };
    return { ok: true, text: answer.text, html: answer.html ?? null, sources: answer.sources, via: 'extractive', grounding: answer.groundingScore };
  }

  async function composeAction(c: Ctx, playbook: Playbook, question: string, reply: Parameters<typeof runAction>[1]): Promise<ComposedReply> {
    if (!playbook.action) return { ok: false, reason: 'no_action', detail: 'the action playbook has no action' };
    const { signingSecret } = await getWorkspace(c.db, c.workspaceId);
    const result: ActionResult = await runAction(playbook.action, reply, { signingSecret, playbookId: playbook.id, now: deps.now, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
    if (!result.ok) return { ok: false, reason: 'action_failed', detail: `${result.error?.code ?? 'error'}: ${result.error?.message ?? 'the action failed'}` };
    const answer = composeAnswer({ playbook, question, passages: [], ...reply, actionResult: result });
    return { ok: true, text: answer.text, html: answer.html ?? null, sources: [], via: 'extractive', grounding: answer.groundingScore, action: { status: result.status, durationMs: result.durationMs } };
  }

  return {
    async retrieve(workspaceId, query, opts) {
      const { hits } = await retrieve(ctx(workspaceId), deps.embedder, query, { k: opts.k, intent: opts.intent, tier: opts.tier });
      return hits.map((h) => ({ articleId: h.articleId, title: h.articleTitle, text: h.text, score: h.score, intentMatch: h.intentMatch }));
    },
    async playbook(workspaceId, intent) {
      const p = await findPlaybook(ctx(workspaceId), intent);
      return p ? { intent: p.intent, kind: p.kind, mode: p.mode, threshold: p.threshold } : null;
    },
    compose,
  };
}

