import { detectLanguage } from '../nlp/language.js';
import { analyseSentiment } from '../nlp/sentiment.js';
import { assessUrgency } from '../nlp/urgency.js';
import type { PipelineInput, Stage } from './types.js';

/** The text the customer wrote: subject and their public messages, newest last. */
export function customerText(input: PipelineInput): string {
  const bodies = input.messages.filter((m) => m.authorType === 'customer' && m.visibility === 'public').map((m) => m.text);
  return [input.ticket.subject, ...bodies].join('\n').slice(0, 20_000);
}

/** Understand: language, intent (with calibrated confidence and explanation), sentiment and urgency. */
export const understandStage: Stage = {
  name: 'understand',
  async run(input, _earlier, ports) {
    const text = customerText(input);
    const language = detectLanguage(text, { supported: input.settings.languages });
    const sentiment = analyseSentiment(text);
    const intent = language.supported ? await ports.predictIntent(input.workspaceId, text) : null;
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
