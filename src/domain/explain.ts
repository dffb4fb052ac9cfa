/**
 * Plain-language explanations of the assistant's decisions: one sentence per decision code, for agents and
 * managers. The codes stay in the API (`check`, `reason`); these sentences are what people read, in the
 * handoff packet and in the console (which imports this module). Pure and dependency-free.
 */

/** One guardrail's verdict as the decision record stores it (see `Check` in src/pipeline/stages/policy.ts). */
export interface Verdict {
  check: string;
  passed: boolean;
  detail?: string | undefined;
  value?: number | string | boolean | null | undefined;
  threshold?: number | string | null | undefined;
}

/** How intents are named for people; by default `data_export` reads "Data export". */
export type IntentLabel = (intent: string) => string;

/** `data_export` → "Data export". */
export const humanize = (code: string): string => {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : code;
};

/** 0.871 → "87%"; with `against`, enough precision that two different numbers never read the same (0.897 vs 0.9 →
 * "89.7%"). */
export function percent(x: number, against?: number): string {
  const whole = Math.round(x * 100);
  if (against !== undefined && whole === Math.round(against * 100) && x !== against) return `${(x * 100).toFixed(1)}%`;
  return `${whole}%`;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/**
 * One guardrail's verdict in a sentence.
 * @example explainCheck({ check: 'intent_confident', passed: false, value: 0.871, threshold: 0.9 })
 * // "Confidence 87% is below the 90% this intent needs to answer alone."
 */
export function explainCheck(v: Verdict, intentLabel: IntentLabel = humanize, intent?: string | null): string {
  const value = v.value;
  const threshold = v.threshold;
  const name = intent ? intentLabel(intent) : 'This intent';
  switch (v.check) {
    case 'language_supported':
      return v.passed
        ? `Written in a language the assistant answers (${str(value) ?? 'detected'}).`
        : str(value)
          ? `Written in ${str(value)}, which the assistant does not ` +
            `answer${str(threshold) ? ` (it answers ${String(threshold).split(',').join(', ')})` : ''}.`
          : 'The language could not be recognised.';
    case 'human_not_requested':
      return v.passed ? 'The customer did not ask for a person.' : 'The customer asked for a person.';
    case 'in_scope':
      return v.passed
        ? `Recognised as ${str(value) ? intentLabel(String(value)) : 'a known intent'}.`
        : 'Nothing in the taxonomy fits this message (out of scope).';
    case 'intent_confident': {
      const c = num(value);
      const t = num(threshold);
      if (c === null || t === null)
        return v.passed ? 'The intent is recognised with enough confidence.' : 'No intent could be predicted.';
      return v.passed
        ? `Confidence ${percent(c, t)} meets the ${percent(t)} this intent needs to answer alone.`
        : `Confidence ${percent(c, t)} is below the ${percent(t)} this intent needs to answer alone.`;
    }
    case 'single_intent':
      return v.passed
        ? 'One question.'
        : `The message asks about several things (${String(value ?? '')
            .split('+')
            .map(intentLabel)
            .join(' and ')}).`;
    case 'sentiment_ok': {
      if (v.passed) return 'The tone is within the limits for an automatic answer.';
      const c = num(value);
      const t = num(threshold);
      return c !== null && t !== null && c < t
        ? `The customer sounds upset (tone ${c.toFixed(2)}, below ${t.toFixed(2)}): a person answers.`
        : 'Strong frustration, anger or anxiety in the message: a person answers.';
    }
    case 'tier_allowed':
      return v.passed
        ? `${humanize(str(value) ?? 'unknown')} accounts may be answered by the assistant.`
        : `${humanize(str(value) ?? 'These')} accounts always go to a person.`;
    case 'no_sensitive_topic':
      return v.passed
        ? 'No legal or security matter.'
        : `A legal or security matter${str(value) ? ` ("${String(value)}")` : ''}: always a person.`;
    case 'not_repeat_contact': {
      if (v.passed) return 'First contact on this issue.';
      if (v.detail?.startsWith('reopened')) return 'Reopened by the customer: a person takes it from here.';
      const n = num(value);
      return (
        `The customer has written about this ` +
        `before${n ? ` (${n} other ticket${n === 1 ? '' : 's'} recently)` : ''}: a person takes it.`
      );
    }
    case 'ai_reply_budget':
      return v.passed
        ? 'The assistant has not answered this ticket yet.'
        : 'The assistant already answered this ticket; it never answers the same ticket twice.';
    case 'playbook_available': {
      const [kind, mode] = (str(value) ?? '').split('/');
      if (!kind) return `No playbook for ${intent ? intentLabel(intent) : 'this intent'}: a person answers.`;
      if (kind === 'handoff') return `${name} always goes to a person (playbook).`;
      if (mode === 'off') return `The playbook of ${intent ? intentLabel(intent) : 'this intent'} is switched off.`;
      return (
        `The playbook may ${kind === 'action' ? 'run its action' : 'answer from the knowledge base'}` +
        `${mode === 'shadow' ? ', as a draft for a person to approve' : ' on its own'}.`
      );
    }
    case 'retrieval_confident': {
      const s = num(value);
      const t = num(threshold);
      if (v.passed) return 'A knowledge-base article answers this.';
      return s === null
        ? 'No knowledge-base article answers this.'
        : `The best article matches too weakly (${s.toFixed(2)}, needs ${t?.toFixed(2) ?? 'more'}).`;
    }
    default:
      return `${humanize(v.check)}: ${v.passed ? 'passed' : 'failed'}${v.detail ? ` (${v.detail})` : ''}.`;
  }
}

const REASONS: Record<string, string> = {
  all_guardrails_passed: 'Every check passed: the assistant answered on its own.',
  shadow_mode: 'Shadow mode: the assistant drafted a reply for a person to approve.',
  human_requested: 'The customer asked for a person.',
  reopened: 'Reopened by the customer.',
  ai_error: 'The assistant ran into an error, so a person takes over (nothing was sent).',
  compose_ungrounded: 'The drafted reply said things the articles do not support, so it was not sent.',
  compose_bad_citation: 'The drafted reply cited its sources wrongly, so it was not sent.',
  compose_timeout: 'The language model did not answer in time.',
  compose_error: 'The language model failed.',
  compose_empty: 'The articles found do not answer the question.',
  compose_low_overlap: 'The articles found cover too little of the question.',
  compose_off_question: 'The reply found is not likely enough to answer this question, so it was not sent.',
  compose_action_failed: "The playbook's action failed on your backend.",
  compose_no_action: 'The playbook has no action to run.',
  compose_no_playbook: 'There is no playbook to answer with.',
  // Why a ticket was routed (the reason of its `ticket.routed` event).
  handed_off: 'Handed to a person: routed to a team and, when one was free, to an agent.',
  queue: 'Taken from the team queue when an agent came online.',
  agent_offline: 'Its agent went offline, so it was routed again.',
  sla_at_risk: 'Its SLA target was at risk while its agent was unavailable, so it was routed again.',
};

/**
 * Why a ticket went where it went, in a sentence: the reason code of a hand-off (a guardrail, a request,
 * an error, a reopen) read with the guardrail's own verdict when the decision record has it.
 * @example explainReason('playbook_available', { checks, intent: 'refund_request', intentLabel: () => 'Refunds' })
 * // "Refunds always goes to a person (playbook)."
 */
export function explainReason(
  reason: string | null,
  opts: {
    checks?: Verdict[] | undefined;
    detail?: string | null | undefined;
    intent?: string | null | undefined;
    intentLabel?: IntentLabel | undefined;
  } = {},
): string {
  if (!reason) return 'Not handed off.';
  const verdict = opts.checks?.find((c) => c.check === reason && !c.passed);
  if (verdict) return explainCheck(verdict, opts.intentLabel, opts.intent);
  if (REASONS[reason]) return REASONS[reason];
  const known = explainCheck(
    { check: reason, passed: false, detail: opts.detail ?? undefined },
    opts.intentLabel,
    opts.intent,
  );
  return known.startsWith(`${humanize(reason)}: failed`)
    ? `${humanize(reason)}${opts.detail ? `: ${opts.detail}` : ''}.`
    : known;
}

/**
 * Why the resolve stage sent no reply, from its code (`off_question`, `ungrounded`, `timeout` …): the words of
 * the hand-off it caused (`compose_<code>`).
 * @example explainResolveFailure('ungrounded') // "The drafted reply said things the articles do not support, …"
 */
export function explainResolveFailure(reason: string): string {
  return REASONS[`compose_${reason}`] ?? `No reply could be composed (${humanize(reason).toLowerCase()}).`;
}

const ROUTE_SKIPS: Record<string, string> = {
  'not handed to a human': 'Not routed: no person was needed.',
  'already assigned': 'Not routed again: the ticket already has its agent.',
};
/** Why the route stage did not route, from what it recorded (`not handed to a human`, `already assigned`). */
export const explainRouteSkip = (skipped: string): string => ROUTE_SKIPS[skipped] ?? `Not routed (${skipped}).`;

const TONES: Record<string, string> = {
  negative: 'the customer sounds unhappy',
  neutral: 'the customer sounds calm',
  positive: 'the customer sounds pleased',
};
/** The sentiment label (`negative`, `neutral`, `positive`) as a phrase: "the customer sounds unhappy". */
export const describeTone = (label: string): string => TONES[label] ?? `tone ${humanize(label).toLowerCase()}`;

const URGENCIES: Record<string, string> = {
  urgent: 'needs an answer right away',
  high: 'needs an answer soon',
  normal: 'can be answered in the usual time',
  low: 'can wait',
};
/** The urgency's priority (`urgent`, `high`, `normal`, `low`) as a phrase: "needs an answer right away". */
export const describeUrgency = (priority: string): string =>
  URGENCIES[priority] ?? `urgency ${humanize(priority).toLowerCase()}`;

/** An emotion cue as the sentiment analysis lists it: its kind, its name and the words that made it fire. */
export interface Cue {
  kind: string;
  cue: string;
  evidence?: string | undefined;
}

const CUE_WORDS: Record<string, string> = {
  frustration: 'Frustrated',
  anger: 'Angry',
  anxiety: 'Anxious',
  churn: 'Talks of leaving',
  legal: 'Mentions legal action',
};

/**
 * How the customer sounds, plainly: the emotions with their evidence first, then the tone and its direction.
 * @example describeSentiment({ compound: 0, cues: [{ kind: 'frustration', cue: 'repeat_contact', evidence: 'third time'
 * }], direction: 'unknown' })
 * // 'Frustrated ("third time"). Tone neutral.'
 */
export function describeSentiment(s: { compound: number | null; cues: Cue[]; direction?: string | undefined }): string {
  const byKind = new Map<string, string[]>();
  for (const c of s.cues)
    byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c.evidence?.trim() || humanize(c.cue).toLowerCase()]);
  const feelings = [...byKind].map(
    ([kind, cues]) =>
      `${CUE_WORDS[kind] ?? humanize(kind)} (${[...new Set(cues)]
        .slice(0, 3)
        .map((c) => `"${c}"`)
        .join(', ')})`,
  );
  const c = s.compound;
  const tone =
    c === null
      ? null
      : c <= -0.5
        ? 'very negative'
        : c <= -0.05
          ? 'negative'
          : c < 0.05
            ? 'neutral'
            : c < 0.5
              ? 'positive'
              : 'very positive';
  const trend = s.direction === 'improving' ? ', getting better' : s.direction === 'worsening' ? ', getting worse' : '';
  return (
    [feelings.length ? `${feelings.join('; ')}.` : null, tone ? `Tone ${tone}${trend}.` : null]
      .filter(Boolean)
      .join(' ') || 'No sentiment measured.'
  );
}
