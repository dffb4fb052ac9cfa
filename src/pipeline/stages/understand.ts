import { findAsk, type Ask } from '../../nlp/ask.js';
import { ACCESS_ASK_RE } from '../../resolution/facts.js';
import { contentWords } from '../../resolution/text.js';
import { detectLanguage } from '../../nlp/language.js';
import { analyseSentiment } from '../../nlp/sentiment.js';
import { assessUrgency } from '../../nlp/urgency.js';
import { type IntentPrediction, MULTI_INTENT_THRESHOLD } from '../../nlp/intent/index.js';
import type { UnderstandContext } from '../../domain/stage-results.js';
import type { PipelineInput, Stage } from '../types.js';
import { thresholdFor } from './policy.js';

/** What the customer wrote in their public messages, oldest first. */
export function customerBody(input: PipelineInput): string {
  return input.messages
    .filter((m) => m.authorType === 'customer' && m.visibility === 'public')
    .map((m) => m.text)
    .join('\n')
    .slice(0, 20_000);
}

/** The subject and the customer's messages; a subject that merely repeats the message's start is left out. */
export function customerText(input: PipelineInput): string {
  const body = customerBody(input);
  const subject = input.ticket.subject.trim();
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  if (!subject || norm(body).startsWith(norm(subject).replace(/ ?…$/, ''))) return body;
  return `${subject}\n${body}`.slice(0, 20_000);
}

/** A message of at least this many words is classified on its own; a shorter one with its subject. */
export const MIN_BODY_WORDS = 5;

/** The ask of the customer's public messages (`findAsk`): quoted threads, signatures, greetings and long stories set
 * aside. */
export function askOf(input: PipelineInput): Ask {
  return findAsk(
    input.messages
      .filter((m) => m.authorType === 'customer' && m.visibility === 'public')
      .map((m) => m.text.slice(0, 20_000)),
  );
}

/**
 * The text the ticket is classified and retrieved on: the ask. A subject line is a summary written in a
 * hurry ("Locked out", "Question"), and mixing it in blurs a clear message and invents second questions;
 * an ask too short to stand alone is read with its subject.
 */
const subjectOf = (input: PipelineInput) => input.ticket.subject.trim();

/**
 * A subject read with a short ask is context, not a question of its own: a multi-intent flag that stands only on the
 * subject line ("Question about my order" + "switching to another account") is dropped. Pure.
 */
export function withoutSubjectIntent(prediction: IntentPrediction, subject: string | null): IntentPrediction {
  const multi = prediction.multiIntent;
  if (!multi || !subject) return prediction;
  const asked = multi.parts.filter((p) => !subject.includes(p.text.trim()) && p.confidence >= MULTI_INTENT_THRESHOLD);
  const intents = multi.intents.filter((i) => asked.some((p) => p.intent === i));
  return intents.length >= 2 ? prediction : { ...prediction, multiIntent: null };
}

export function askText(input: PipelineInput, ask: Ask = askOf(input)): string {
  const subject = subjectOf(input);
  if (!subject || ask.text.split(/\s+/).filter(Boolean).length >= MIN_BODY_WORDS) return ask.text;
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return norm(ask.text).startsWith(norm(subject).replace(/ ?…$/, '')) ? ask.text : `${subject}\n${ask.text}`;
}

const PAYMENT_FAILED = 'billing_failed_payment';
const BILLING_WORDS = new RegExp(
  String.raw`\b(?:pay|paid|payment|payments|card|charge|charged|invoice|invoices|billing|billed|bill|` +
    String.raw`subscription|plan|renew|renewal|declined|suspended|locked|past due|overdue|receipt)\b`,
  'i',
);

/** What enrichment says about the customer that bears on understanding the ticket. */
export function contextOf(input: PipelineInput): UnderstandContext {
  const e = input.enrichment;
  return {
    tier: input.account?.tier ?? null,
    billingState: input.account?.billingState ?? e?.account?.billingState ?? null,
    mrr: input.account?.mrr ?? e?.account?.mrr ?? null,
    paymentFailed: e?.billing?.paymentFailed ?? null,
    recentlyDowngraded: e?.billing?.state === 'downgraded' ? e.billing.downgradedAt : null,
    featureId: (e?.page?.featureId as string | undefined) ?? input.ticket.pageContext?.featureId ?? null,
    recentErrors: [
      ...((e?.page?.recentErrors as string[] | undefined) ?? []),
      ...(e?.usage?.recentErrors.map((r) => r.message) ?? []),
    ].slice(0, 5),
    missing: e?.missing ?? [],
  };
}

/** Intents about getting into the product (a locked-out past-due customer is usually filed under one of them). */
const ACCESS_INTENT_RE = /access|login|log_in|sign_in|password|two_factor|2fa|locked|account/;

/**
 * A past-due account that writes about paying is most likely writing about the failed payment: when the
 * model hesitates between billing intents (or finds none), the failed-payment intent is preferred — with the
 * model's own probability for it, so the decision policy's threshold still applies. One whose payment failed
 * and who asks why they are locked out ("why has our account been locked?") has an access problem the failed
 * payment explains: an access intent (or none) gives way to the failed-payment intent, at the model's
 * probability of an access or billing problem.
 */
export function billingPrior(
  prediction: IntentPrediction,
  text: string,
  billingState: string | null,
  paymentFailed = false,
): { prediction: IntentPrediction; adjusted: string | null } {
  if (billingState !== 'past_due' || prediction.intent === PAYMENT_FAILED) return { prediction, adjusted: null };
  const top = prediction.intent ?? prediction.topIntent;
  const alt = prediction.alternatives.find((a) => a.intent === PAYMENT_FAILED);
  if (paymentFailed && alt && ACCESS_ASK_RE.test(text) && (!top || top === 'other' || ACCESS_INTENT_RE.test(top))) {
    // The model's belief that the customer cannot get in or has a billing problem: the failed payment explains either.
    const mass = prediction.alternatives
      .filter((a) => a.intent.startsWith('billing_') || ACCESS_INTENT_RE.test(a.intent))
      .reduce((n, a) => n + a.probability, 0);
    const confidence = Math.min(1, Math.max(prediction.confidence, mass));
    return {
      prediction: { ...prediction, intent: PAYMENT_FAILED, confidence, outOfScope: false, topIntent: PAYMENT_FAILED },
      adjusted:
        `account is past_due with a failed payment and the customer cannot get in: ${PAYMENT_FAILED} ` +
        `explains ${top ?? 'the access problem'} (confidence ${confidence.toFixed(2)}: the model's probability of ` +
        `an access or billing problem)`,
    };
  }
  if (!BILLING_WORDS.test(text)) return { prediction, adjusted: null };
  const billingish = !top || top === 'other' || top.startsWith('billing_');
  // The model hesitates: it found nothing in scope, or the failed payment is a close second.
  const hesitates =
    !!alt && (prediction.intent === null || top === 'other' || alt.probability >= prediction.confidence / 2);
  if (!billingish || !alt || !hesitates) return { prediction, adjusted: null };
  return {
    prediction: {
      ...prediction,
      intent: PAYMENT_FAILED,
      confidence: Math.min(alt.probability, prediction.confidence),
      outOfScope: false,
      topIntent: PAYMENT_FAILED,
    },
    adjusted:
      `account is past_due and the text is about billing: ${PAYMENT_FAILED} ` +
      `(p=${alt.probability.toFixed(2)}) preferred over ${top ?? 'out of scope'}`,
  };
}

/** A page-matching intent this close to the top intent's probability is preferred (a mild prior). */
export const PAGE_PRIOR_RATIO = 0.8;

/** The words of the page's feature or route ("settings/billing" → billing, settings), stemmed. */
export function pageWords(page: { featureId?: string | null; route?: string | null } | null | undefined): string[] {
  const raw = page?.featureId ?? page?.route ?? '';
  return [...new Set(contentWords(raw.replace(/[^\p{L}\p{N}]+/gu, ' ')))];
}

/**
 * The page the customer is on, as a mild prior: when the top intent has nothing to do with the page and an
 * alternative named after the page's feature comes within `PAGE_PRIOR_RATIO` of it, the alternative is
 * preferred at its own probability (the policy's threshold still applies).
 */
export function pagePrior(
  prediction: IntentPrediction,
  words: string[],
): { prediction: IntentPrediction; adjusted: string | null } {
  const top = prediction.intent ?? prediction.topIntent;
  if (!words.length || !top) return { prediction, adjusted: null };
  const about = (intent: string) => contentWords(intent.replace(/[_.:-]+/g, ' ')).some((w) => words.includes(w));
  if (about(top)) return { prediction, adjusted: null };
  const topP = prediction.alternatives.find((a) => a.intent === top)?.probability ?? prediction.confidence;
  const alt = prediction.alternatives.find((a) => a.intent !== top && about(a.intent));
  if (!alt || alt.probability < PAGE_PRIOR_RATIO * topP) return { prediction, adjusted: null };
  return {
    prediction: {
      ...prediction,
      intent: alt.intent,
      confidence: Math.min(alt.probability, prediction.confidence),
      outOfScope: false,
      topIntent: alt.intent,
    },
    adjusted:
      `the customer is on the ${words.join('/')} page: ${alt.intent} (p=${alt.probability.toFixed(2)}) ` +
      `preferred over ${top} (p=${topP.toFixed(2)})`,
  };
}

/** The ask as the decision record keeps it: what was classified on and what was set aside (not the message again). */
function askRecord({ fresh: _fresh, ...ask }: Ask, query: string) {
  return { ...ask, query };
}

/** Understand: language, intent (with calibrated confidence and explanation), sentiment and urgency. */
export const understandStage: Stage<'understand'> = {
  name: 'understand',
  async run(input, _earlier, ports) {
    const text = customerText(input);
    const ask = askOf(input);
    const query = askText(input, ask);
    const language = detectLanguage(text, { supported: input.settings.languages });
    // Tone is read on the customer's own new words (a quoted reply is someone else's).
    const sentiment = analyseSentiment(ask.fresh || text);
    const threshold = (intent: string | null) => thresholdFor(input.settings, intent, null);
    const predicted = language.supported ? await ports.predictIntent(input.workspaceId, query, { threshold }) : null;
    const context = contextOf(input);
    const billing = predicted
      ? billingPrior(predicted.prediction, query, context.billingState, !!context.paymentFailed)
      : null;
    const page =
      billing && !billing.adjusted ? pagePrior(billing.prediction, pageWords(input.ticket.pageContext)) : null;
    const prior = page?.adjusted ? page : billing;
    const intent =
      predicted && prior
        ? {
            ...predicted,
            prediction: withoutSubjectIntent(prior.prediction, query === ask.text ? null : subjectOf(input)),
          }
        : null;
    const recentTicketCount = input.history.filter(
      (t) => t.id !== input.ticket.id && input.now.getTime() - t.createdAt.getTime() <= 7 * 86_400_000,
    ).length;
    const urgency = assessUrgency({
      text,
      intent: intent?.prediction.intent ?? undefined,
      intentConfidence: intent?.prediction.confidence,
      sentiment,
      tier: input.account?.tier,
      mrr: context.mrr ?? undefined,
      billingState: context.billingState ?? undefined,
      recentTicketCount,
    });
    const actions = [];
    if (intent?.prediction.intent)
      actions.push({
        type: 'set_intent' as const,
        intent: intent.prediction.intent,
        confidence: intent.prediction.confidence,
      });
    const order = ['low', 'normal', 'high', 'urgent'] as const;
    if (order.indexOf(urgency.priority) > order.indexOf(input.ticket.priority))
      actions.push({ type: 'set_priority' as const, priority: urgency.priority });
    return {
      result: {
        language,
        ask: askRecord(ask, query),
        intent: intent?.prediction ?? null,
        intentAdjusted: prior?.adjusted ?? null,
        scopeAdjusted: predicted?.scopeAdjusted ?? null,
        memory: predicted?.memory ?? null,
        reading: predicted?.reading,
        sentiment,
        urgency,
        context,
      },
      modelVersion: intent?.modelVersion,
      actions,
    };
  },
};
