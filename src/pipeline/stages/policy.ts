import type { AutonomySettings } from '../../domain/settings.js';
import type { IntentPrediction } from '../../nlp/intent/index.js';
import type { LanguageResult } from '../../nlp/language.js';
import type { SentimentResult } from '../../nlp/sentiment.js';
import type { Check, PolicyResult } from '../../domain/stage-results.js';

/** What the policy needs to know (all computed by earlier stages). */
export interface PolicyInput {
  settings: AutonomySettings;
  language: LanguageResult | null;
  intent: IntentPrediction | null;
  sentiment: SentimentResult | null;
  text: string;
  tier: string | null;
  /** The customer's other tickets with the same intent within the repeat-contact window. */
  repeatContacts: number;
  reopenCount: number;
  /** Public replies the assistant already sent on this ticket. */
  aiReplies: number;
  /** The customer explicitly asked for a human (control or words). */
  humanRequested: boolean;
  playbook: { kind: 'answer' | 'action' | 'handoff'; mode: 'auto' | 'shadow' | 'off'; threshold: number | null } | null;
  /** Best retrieval score, or null when nothing was retrieved. */
  retrievalScore: number | null;
}

const HUMAN_REQUEST = new RegExp(
  String.raw`\b(speak|speaking|talk|talking|chat|chatting|contact|contacting|reach|get|connect me)\s+(to|` +
    String.raw`with)?\s*(a\s+|an\s+|some\s*one|somebody|a\s+real|your|the)?\s*(real\s+|live\s+|actual\s+)` +
    String.raw`?(human|person|agent|operator|someone|somebody|representative|rep|manager|supervisor|customer ` +
    String.raw`(service|support) (agent|rep|representative))\b|\b(real|actual|live)\s+(human|person|agent)\b|` +
    String.raw`\bhuman\s+(please|agent|support|being)\b|\bnot\s+a\s+bot\b`,
  'i',
);
const SENSITIVE = new RegExp(
  String.raw`\b(lawyer|attorney|legal action|sue|lawsuit|court|gdpr request|subpoena|breach|hacked|` +
    String.raw`compromised|phishing|fraud|unauthori[sz]ed (access|charge|login)|data leak|vulnerability|` +
    String.raw`exploit)\b`,
  'i',
);

/** True when the text asks for a human. */
export const asksForHuman = (text: string): boolean => HUMAN_REQUEST.test(text);

/** The autonomy threshold in force for an intent: playbook, then workspace per-intent, then default. */
export function thresholdFor(
  settings: AutonomySettings,
  intent: string | null,
  playbookThreshold: number | null,
): number {
  if (playbookThreshold !== null) return playbookThreshold;
  if (intent && settings.intentThresholds[intent] !== undefined) return settings.intentThresholds[intent]!;
  return settings.defaultThreshold;
}

/**
 * The floor under the classifier's confidence for an answer playbook: below it the intent is no better than a guess
 * and the ticket goes to a human whatever the answer check says. Above it, the answer check (resolve stage) weighs the
 * confidence with its other evidence and its estimate must reach the intent's threshold.
 */
export const MIN_INTENT_CONFIDENCE = 0.5;
/**
 * The highest threshold the answer check may stand in for: above it (a threshold of 0.999 means "only when certain")
 * the classifier's confidence itself must reach the threshold, as for action playbooks.
 */
export const JUDGED_THRESHOLD_CEILING = 0.99;

/** The bar the classifier's confidence must clear in the policy (see MIN_INTENT_CONFIDENCE). */
export function intentBar(threshold: number, playbookKind: 'answer' | 'action' | 'handoff' | null): number {
  return playbookKind === 'answer' && threshold <= JUDGED_THRESHOLD_CEILING
    ? Math.min(threshold, MIN_INTENT_CONFIDENCE)
    : threshold;
}

/**
 * True when a prediction the classifier called out of scope is left to the answer check: its top intent's playbook
 * (the one passed in) answers, the answer check may stand in for its threshold, and the top intent's confidence
 * reaches MIN_INTENT_CONFIDENCE. The check weighs that confidence: a weak guess needs a passage that plainly answers.
 */
export function scopeJudgedFor(input: Pick<PolicyInput, 'intent' | 'playbook'>, threshold: number): boolean {
  const p = input.intent;
  return (
    !!p?.outOfScope &&
    !!p.topIntent &&
    p.confidence >= MIN_INTENT_CONFIDENCE &&
    intentBar(threshold, input.playbook?.kind ?? null) < threshold
  );
}

/**
 * The decision policy: the assistant acts alone only when every guardrail passes. Each guardrail's
 * verdict is returned, so the decision can be explained and replayed.
 *
 * @example
 * decide({ ...input, intent: { intent: 'password_reset', confidence: 0.97, ... } }).decision // 'resolve'
 */
export function decide(input: PolicyInput): PolicyResult {
  const s = input.settings;
  const top = input.intent?.topIntent ?? null;
  const topThreshold = thresholdFor(s, top, input.playbook?.threshold ?? null);
  // Out of scope by the classifier's own line, yet its top intent has an answer playbook the answer check may stand
  // in for: the check decides, weighing the low confidence (see `scopeJudged`).
  const scopeJudged = scopeJudgedFor(input, topThreshold);
  const intentName = input.intent?.intent ?? (scopeJudged ? top : null);
  const threshold = scopeJudged ? topThreshold : thresholdFor(s, intentName, input.playbook?.threshold ?? null);
  const bar = intentBar(threshold, input.playbook?.kind ?? null);
  const judged = bar < threshold;
  const emotions = input.sentiment?.emotions;
  // Emotions add up: a customer both angry and frustrated ("This is outrageous ... ?!") is more upset than either
  // cue says alone, so the check weighs their combination (1 − Π(1 − e)), never less than the strongest.
  const distress = emotions ? 1 - (1 - emotions.frustration) * (1 - emotions.anger) * (1 - emotions.anxiety) : 0;
  const legal = input.sentiment?.cues.some((c) => c.kind === 'legal') ?? false;
  const sensitiveMatch = SENSITIVE.exec(input.text)?.[0] ?? null;
  const checks: Check[] = [
    {
      check: 'language_supported',
      passed: !!input.language?.supported,
      value: input.language?.language ?? null,
      threshold: s.languages.join(','),
      detail: input.language
        ? `${input.language.language} (confidence ${input.language.confidence.toFixed(2)})`
        : 'language not detected',
    },
    {
      check: 'human_not_requested',
      passed: !input.humanRequested,
      value: input.humanRequested,
      detail: input.humanRequested ? 'the customer asked for a human' : 'no request for a human',
    },
    {
      check: 'in_scope',
      passed: !!intentName && (!input.intent?.outOfScope || scopeJudged),
      value: intentName,
      detail: scopeJudged
        ? `${intentName} at ${input.intent!.confidence.toFixed(3)} is under the classifier's out-of-scope line; ` +
          `the answer check decides (it must reach ${threshold})`
        : intentName && !input.intent?.outOfScope
          ? `intent ${intentName}`
          : 'nothing in the taxonomy fits (out of scope)',
    },
    {
      check: 'intent_confident',
      passed: !!input.intent && input.intent.confidence >= bar,
      value: input.intent?.confidence ?? null,
      threshold: bar,
      detail: input.intent
        ? `${intentName} at ${input.intent.confidence.toFixed(3)} against ${
            judged ? `the floor ${bar} (the answer check must reach ${threshold})` : `threshold ${threshold}`
          }`
        : 'no prediction',
    },
    {
      check: 'single_intent',
      passed: !input.intent?.multiIntent,
      value: input.intent?.multiIntent ? input.intent.multiIntent.intents.join('+') : null,
      detail: input.intent?.multiIntent
        ? `asks about ${input.intent.multiIntent.intents.join(' and ')}`
        : 'one question',
    },
    {
      check: 'sentiment_ok',
      passed: (input.sentiment?.compound ?? 0) >= s.minSentiment && distress <= s.maxEmotion,
      value: Number((input.sentiment?.compound ?? 0).toFixed(3)),
      threshold: s.minSentiment,
      detail:
        `sentiment ${(input.sentiment?.compound ?? 0).toFixed(2)} (min ${s.minSentiment}), emotions ` +
        `${distress.toFixed(2)} together (max ${s.maxEmotion})`,
    },
    {
      check: 'tier_allowed',
      passed: !input.tier || !s.handoffTiers.includes(input.tier),
      value: input.tier,
      threshold: s.handoffTiers.join(','),
      detail:
        input.tier && s.handoffTiers.includes(input.tier)
          ? `${input.tier} accounts always go to a human`
          : `tier ${input.tier ?? 'unknown'} may be answered`,
    },
    {
      check: 'no_sensitive_topic',
      passed: !legal && !sensitiveMatch,
      value: sensitiveMatch ?? (legal ? 'legal threat' : null),
      detail:
        sensitiveMatch || legal
          ? `legal or security matter ("${sensitiveMatch ?? 'legal threat'}")`
          : 'no legal or security words',
    },
    {
      check: 'not_repeat_contact',
      passed: input.repeatContacts === 0 && input.reopenCount === 0,
      value: input.repeatContacts + input.reopenCount,
      detail:
        input.reopenCount > 0
          ? `reopened ${input.reopenCount} time(s)`
          : input.repeatContacts > 0
            ? `${input.repeatContacts} other ticket(s) on the same issue within ${s.repeatContactDays} days`
            : 'first contact on this issue',
    },
    {
      check: 'ai_reply_budget',
      passed: input.aiReplies < s.maxAiReplies,
      value: input.aiReplies,
      threshold: s.maxAiReplies,
      detail:
        `${input.aiReplies} assistant repl${input.aiReplies === 1 ? 'y' : 'ies'} so far (max ` +
        `${s.maxAiReplies}); the assistant never answers a ticket twice`,
    },
    {
      check: 'playbook_available',
      passed: !!input.playbook && input.playbook.kind !== 'handoff' && input.playbook.mode !== 'off',
      value: input.playbook ? `${input.playbook.kind}/${input.playbook.mode}` : null,
      detail: !input.playbook
        ? `no playbook for ${intentName ?? 'this intent'}`
        : input.playbook.kind === 'handoff'
          ? 'the playbook always hands off'
          : input.playbook.mode === 'off'
            ? 'the playbook is off'
            : `${input.playbook.kind} playbook (${input.playbook.mode})`,
    },
  ];
  if (input.playbook?.kind === 'answer') {
    checks.push({
      check: 'retrieval_confident',
      passed: input.retrievalScore !== null && input.retrievalScore >= s.minRetrievalScore,
      value: input.retrievalScore,
      threshold: s.minRetrievalScore,
      detail:
        input.retrievalScore === null
          ? 'no article found'
          : `best passage scores ${input.retrievalScore.toFixed(3)} (min ${s.minRetrievalScore})`,
    });
  }
  const failed = checks.filter((c) => !c.passed).map((c) => c.check);
  if (failed.length) return { decision: 'hand_off', reason: failed[0]!, failed, threshold, checks };
  const shadow = s.shadowMode || input.playbook?.mode === 'shadow';
  return {
    decision: shadow ? 'draft' : 'resolve',
    reason: shadow ? 'shadow_mode' : 'all_guardrails_passed',
    failed,
    threshold,
    checks,
  };
}
