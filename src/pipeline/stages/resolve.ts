import type { Stage } from '../types.js';

/** The least probability of answering the ask an answer needs, whatever the intent's threshold (a lowered threshold
 * never lets a likely-wrong answer out). */
export const MIN_ANSWER_PROBABILITY = 0.8;

/**
 * Resolve: composes the reply the policy allowed (running the playbook's action when it has one). A
 * reply that cannot be composed or grounded sends the ticket to a human instead.
 */
export const resolveStage: Stage<'resolve'> = {
  name: 'resolve',
  external: true,
  async run(input, earlier, ports) {
    const decided = earlier.decide?.result;
    if (!decided || decided.decision === 'hand_off' || !decided.playbook)
      return { result: { skipped: 'handed off' as const } };
    const passages = earlier.retrieve?.result.passages ?? [];
    const understood = earlier.understand?.result;
    // The answer judgement must reach the same threshold as the intent's confidence, and never less than
    // MIN_ANSWER_PROBABILITY.
    const judge = {
      intentConfidence: understood?.intent?.confidence ?? 0,
      threshold: Math.max(MIN_ANSWER_PROBABILITY, decided.threshold ?? input.settings.defaultThreshold),
      names: [input.customer?.name, input.account?.name],
      rivals: earlier.retrieve?.result && 'rivals' in earlier.retrieve.result ? earlier.retrieve.result.rivals : [],
    };
    const reply = await ports.compose(input, decided.playbook, passages, judge);
    if (!reply.ok) {
      return {
        result: {
          composed: false as const,
          reason: reply.reason,
          detail: reply.detail,
          verification: reply.verification ?? null,
        },
        actions: [{ type: 'hand_off', reason: `compose_${reply.reason}`, detail: reply.detail }],
      };
    }
    // A guess the classifier called out of scope that the answer check accepted: the ticket is filed under it.
    const filed =
      understood?.intent?.outOfScope && reply.verification?.passed
        ? [{ type: 'set_intent' as const, intent: decided.playbook.intent, confidence: understood.intent.confidence }]
        : [];
    const action =
      decided.decision === 'resolve'
        ? { type: 'auto_resolve' as const, text: reply.text, html: reply.html ?? null, sources: reply.sources }
        : { type: 'draft' as const, text: reply.text, sources: reply.sources };
    return {
      result: {
        composed: true as const,
        path: decided.decision,
        via: reply.via,
        grounding: reply.grounding,
        verification: reply.verification ?? null,
        reply: reply.text,
        sources: reply.sources,
        action: reply.action ?? null,
      },
      actions: [...filed, action],
    };
  },
};
