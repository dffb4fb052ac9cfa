import type { Stage } from '../types.js';
import { askText, pageWords } from './understand.js';

/** Passages of other intents' articles kept as rivals for the answer judgement. */
export const MAX_RIVALS = 3;

/**
 * Retrieve: the knowledge-base passages that best answer the ticket, for the predicted intent and the
 * customer's tier.
 */
export const retrieveStage: Stage<'retrieve'> = {
  name: 'retrieve',
  async run(input, earlier, ports) {
    const understood = earlier.understand?.result;
    if (understood?.language && !understood.language.supported)
      return { result: { skipped: 'unsupported language' as const, passages: [] } };
    // Retrieval reads the ask, as classification did: a 2,000-word story would drown the question. The page's
    // feature joins it once, a mild pull towards the articles of the page the customer is on.
    const page = pageWords(input.ticket.pageContext);
    const query = understood?.ask?.query ?? askText(input);
    const hits = await ports.retrieve(input.workspaceId, page.length ? `${query}\n${page.join(' ')}` : query, {
      // Out of scope by the classifier's line: its best guess still points retrieval at that intent's articles.
      intent: understood?.intent?.intent ?? understood?.intent?.topIntent ?? null,
      tier: input.account?.tier ?? null,
      k: 5,
    });
    // When articles are written for the predicted intent, answer from those only: another intent's
    // article that happens to rank first is a wrong answer waiting to happen.
    const forIntent = hits.filter((h) => h.intentMatch);
    const passages = forIntent.length ? forIntent : hits;
    return {
      result: {
        passages,
        bestScore: passages[0]?.score ?? null,
        restrictedToIntent: forIntent.length > 0,
        rivals: forIntent.length ? hits.filter((h) => !h.intentMatch).slice(0, MAX_RIVALS) : [],
        candidates: hits.length,
        pageHint: page.length ? page : null,
      },
    };
  },
};
