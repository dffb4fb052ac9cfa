import { detectLanguage } from '../nlp/language.js';
import { analyseSentiment } from '../nlp/sentiment.js';
import { assessUrgency } from '../nlp/urgency.js';
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

/** Understand: language, intent (with calibrated confidence and explanation), sentiment and urgency. */
export const understandStage: Stage = {
  name: 'understand',
  async run(input, _earlier, ports) {
    const text = customerText(input);
    const language = detectLanguage(text, { supported: input.settings.languages });
    const sentiment = analyseSentiment(text);
    const intent = language.supported ? await predict(input, text, ports) : null;
    const recentTicketCount = input.history.filter((t) => t.id !== input.ticket.id && input.now.getTime() - t.createdAt.getTime() <= 7 * 86_400_000).length;
    const urgency = assessUrgency({
      text,
      intent: intent?.prediction.intent ?? undefined,
      intentConfidence: intent?.prediction.confidence,
      sentiment,
      tier: input.account?.tier,
      mrr: input.account?.mrr,
      billingState: input.account?.billingState,
      recentTicketCount,
    });
    const actions = [];
    if (intent?.prediction.intent) actions.push({ type: 'set_intent' as const, intent: intent.prediction.intent, confidence: intent.prediction.confidence });
    const order = ['low', 'normal', 'high', 'urgent'] as const;
    if (order.indexOf(urgency.priority) > order.indexOf(input.ticket.priority)) actions.push({ type: 'set_priority' as const, priority: urgency.priority });
    return {
      result: { language, intent: intent?.prediction ?? null, sentiment, urgency },
      modelVersion: intent?.modelVersion,
      actions,
    };
  },
};
