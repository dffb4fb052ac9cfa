import { detectLanguage } from '../nlp/language.js';
import { analyseSentiment } from '../nlp/sentiment.js';
import { assessUrgency } from '../nlp/urgency.js';
import type { IntentPrediction } from '../nlp/intent/index.js';
import type { PipelineInput, PipelinePorts, Stage } from './types.js';

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
  const norm = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (!subject || norm(body).startsWith(norm(subject).replace(/ ?…$/, ''))) return body;
  return `${subject}\n${body}`.slice(0, 20_000);
}

/** A message of at least this many words is classified on its own; a shorter one with its subject. */
export const MIN_BODY_WORDS = 5;

/**
 * Predicts the intent from the customer's messages: a subject line is a summary written in a hurry
 * ("Locked out", "Question"), and mixing it in blurs a clear message and invents second questions.
 * A message too short to stand alone is read with its subject.
 */
async function predict(input: PipelineInput, text: string, ports: PipelinePorts) {
  const body = customerBody(input);
  const enough = body.split(/\s+/).filter(Boolean).length >= MIN_BODY_WORDS;
  return ports.predictIntent(input.workspaceId, enough ? body : text);
}

const PAYMENT_FAILED = 'billing_failed_payment';
const BILLING_WORDS = /\b(?:pay|paid|payment|payments|card|charge|charged|invoice|invoices|billing|billed|bill|subscription|plan|renew|renewal|declined|suspended|locked|past due|overdue|receipt)\b/i;

/** What enrichment says about the customer that bears on understanding the ticket. */
export function contextOf(input: PipelineInput) {
  const e = input.enrichment;
  return {
    tier: input.account?.tier ?? null,
    billingState: input.account?.billingState ?? e?.account?.billingState ?? null,
    mrr: input.account?.mrr ?? e?.account?.mrr ?? null,
    paymentFailed: e?.billing?.paymentFailed ?? null,
    recentlyDowngraded: e?.billing?.state === 'downgraded' ? e.billing.downgradedAt : null,
    featureId: (e?.page?.featureId as string | undefined) ?? input.ticket.pageContext?.featureId ?? null,
    recentErrors: [...((e?.page?.recentErrors as string[] | undefined) ?? []), ...(e?.usage?.recentErrors.map((r) => r.message) ?? [])].slice(0, 5),
    missing: e?.missing ?? [],
  };
}

/**
 * A past-due account that writes about paying is most likely writing about the failed payment: when the
 * model hesitates between billing intents (or finds none), the failed-payment intent is preferred — with the
 * model's own probability for it, so the decision policy's threshold still applies.
 */
export function billingPrior(prediction: IntentPrediction, text: string, billingState: string | null): { prediction: IntentPrediction; adjusted: string | null } {
  if (billingState !== 'past_due' || prediction.intent === PAYMENT_FAILED || !BILLING_WORDS.test(text)) return { prediction, adjusted: null };
  const top = prediction.intent ?? prediction.topIntent;
  const billingish = !top || top === 'other' || top.startsWith('billing_');
  const alt = prediction.alternatives.find((a) => a.intent === PAYMENT_FAILED);
  // The model hesitates: it found nothing in scope, or the failed payment is a close second.
  const hesitates = !!alt && (prediction.intent === null || top === 'other' || alt.probability >= prediction.confidence / 2);
  if (!billingish || !alt || !hesitates) return { prediction, adjusted: null };
  return {
    prediction: { ...prediction, intent: PAYMENT_FAILED, confidence: Math.min(alt.probability, prediction.confidence), outOfScope: false, topIntent: PAYMENT_FAILED },
    adjusted: `account is past_due and the text is about billing: ${PAYMENT_FAILED} (p=${alt.probability.toFixed(2)}) preferred over ${top ?? 'out of scope'}`,
  };
}

/** Understand: language, intent (with calibrated confidence and explanation), sentiment and urgency. */
export const understandStage: Stage = {
  name: 'understand',
  async run(input, _earlier, ports) {
    const text = customerText(input);
    const language = detectLanguage(text, { supported: input.settings.languages });
    const sentiment = analyseSentiment(text);
    const predicted = language.supported ? await predict(input, text, ports) : null;
    const context = contextOf(input);
    const prior = predicted ? billingPrior(predicted.prediction, text, context.billingState) : null;
    const intent = predicted && prior ? { ...predicted, prediction: prior.prediction } : null;
    const recentTicketCount = input.history.filter((t) => t.id !== input.ticket.id && input.now.getTime() - t.createdAt.getTime() <= 7 * 86_400_000).length;
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
    if (intent?.prediction.intent) actions.push({ type: 'set_intent' as const, intent: intent.prediction.intent, confidence: intent.prediction.confidence });
    const order = ['low', 'normal', 'high', 'urgent'] as const;
    if (order.indexOf(urgency.priority) > order.indexOf(input.ticket.priority)) actions.push({ type: 'set_priority' as const, priority: urgency.priority });
    return {
      result: { language, intent: intent?.prediction ?? null, intentAdjusted: prior?.adjusted ?? null, sentiment, urgency, context },
      modelVersion: intent?.modelVersion,
      actions,
    };
  },
};
