import type { IntentPrediction } from '../../nlp/intent/index.js';
import type { LanguageResult } from '../../nlp/language.js';
import type { SentimentResult } from '../../nlp/sentiment.js';
import { asksForHuman, decide } from './policy.js';
import type { RetrievedPassage, Stage } from '../types.js';
import { askText, customerText, pageWords } from './understand.js';

import { HUMAN_REQUESTED } from '../../domain/tags.js';

/** The least probability of answering the ask an answer needs, whatever the intent's threshold (a lowered threshold never lets a likely-wrong answer out). */
export const MIN_ANSWER_PROBABILITY = 0.8;

type Understood = { language?: LanguageResult; intent?: IntentPrediction | null; sentiment?: SentimentResult; ask?: { query: string } };

/**
 * Retrieve: the knowledge-base passages that best answer the ticket, for the predicted intent and the
 * customer's tier.
 */
export const retrieveStage: Stage = {
  name: 'retrieve',
  async run(input, earlier, ports) {
    const understood = earlier.understand?.result as Understood | undefined;
    if (understood?.language && !understood.language.supported) return { result: { skipped: 'unsupported language', passages: [] } };
    // Retrieval reads the ask, as classification did: a 2,000-word story would drown the question. The page's
    // feature joins it once, a mild pull towards the articles of the page the customer is on.
    const page = pageWords(input.ticket.pageContext);
    const query = understood?.ask?.query ?? askText(input);
    const hits = await ports.retrieve(input.workspaceId, page.length ? `${query}\n${page.join(' ')}` : query, {
      intent: understood?.intent?.intent ?? null,
      tier: input.account?.tier ?? null,
      k: 5,
    });
    // When articles are written for the predicted intent, answer from those only: another intent's
    // article that happens to rank first is a wrong answer waiting to happen.
    const forIntent = hits.filter((h) => h.intentMatch);
    const passages = forIntent.length ? forIntent : hits;
    return { result: { passages, bestScore: passages[0]?.score ?? null, restrictedToIntent: forIntent.length > 0, candidates: hits.length, pageHint: page.length ? page : null } };
  },
};

/**
 * Decide: the policy that chooses between answering on the spot, drafting for a human (shadow mode) and
 * handing to a human, with every guardrail's verdict.
 */
export const decideStage: Stage = {
  name: 'decide',
  async run(input, earlier, ports) {
    const understood = (earlier.understand?.result ?? {}) as Understood;
    const passages = ((earlier.retrieve?.result as { passages?: RetrievedPassage[] } | undefined)?.passages ?? []) as RetrievedPassage[];
    const intent = understood.intent ?? null;
    const text = customerText(input);
    const windowMs = input.settings.repeatContactDays * 86_400_000;
    const repeatContacts = intent?.intent
      ? input.history.filter((t) => t.intent === intent.intent && input.now.getTime() - t.createdAt.getTime() <= windowMs).length
      : 0;
    const playbook = intent?.intent ? await ports.playbook(input.workspaceId, intent.intent) : null;
    const policy = decide({
      settings: input.settings,
      language: understood.language ?? null,
      intent,
      sentiment: understood.sentiment ?? null,
      text,
      tier: input.account?.tier ?? null,
      repeatContacts,
      reopenCount: input.ticket.reopenCount,
      aiReplies: input.messages.filter((m) => m.authorType === 'assistant' && m.visibility === 'public').length,
      humanRequested: input.ticket.tags.includes(HUMAN_REQUESTED) || asksForHuman(text),
      playbook,
      retrievalScore: passages[0]?.score ?? null,
    });
    const failed = policy.checks.find((c) => c.check === policy.reason);
    return {
      result: { ...policy, playbook },
      actions: policy.decision === 'hand_off' ? [{ type: 'hand_off', reason: policy.reason, detail: failed?.detail ?? policy.reason }] : [],
    };
  },
};

/**
 * Resolve: composes the reply the policy allowed (running the playbook's action when it has one). A
 * reply that cannot be composed or grounded sends the ticket to a human instead.
 */
export const resolveStage: Stage = {
  name: 'resolve',
  async run(input, earlier, ports) {
    const decided = earlier.decide?.result as { decision?: string; threshold?: number; playbook?: Parameters<typeof ports.compose>[1] | null } | undefined;
    if (!decided || decided.decision === 'hand_off' || !decided.playbook) return { result: { skipped: 'handed off' } };
    const passages = ((earlier.retrieve?.result as { passages?: RetrievedPassage[] } | undefined)?.passages ?? []) as RetrievedPassage[];
    const understood = earlier.understand?.result as Understood | undefined;
    // The answer judgement must reach the same threshold as the intent's confidence, and never less than MIN_ANSWER_PROBABILITY.
    const judge = {
      intentConfidence: understood?.intent?.confidence ?? 0,
      threshold: Math.max(MIN_ANSWER_PROBABILITY, decided.threshold ?? input.settings.defaultThreshold),
      names: [input.customer?.name, input.account?.name],
    };
    const reply = await ports.compose(input, decided.playbook, passages, judge);
    if (!reply.ok) {
      return {
        result: { composed: false, reason: reply.reason, detail: reply.detail, verification: reply.verification ?? null },
        actions: [{ type: 'hand_off', reason: `compose_${reply.reason}`, detail: reply.detail }],
      };
    }
    const action =
      decided.decision === 'resolve'
        ? { type: 'auto_resolve' as const, text: reply.text, html: reply.html ?? null, sources: reply.sources }
        : { type: 'draft' as const, text: reply.text, sources: reply.sources };
    return {
      result: { composed: true, path: decided.decision, via: reply.via, grounding: reply.grounding, verification: reply.verification ?? null, reply: reply.text, sources: reply.sources, action: reply.action ?? null },
      actions: [action],
    };
  },
};
