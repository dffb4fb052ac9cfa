import { describe, expect, it } from 'vitest';
import type { IntentPrediction } from '../../nlp/intent/index.js';
import { withoutSubjectIntent } from './understand.js';

const prediction = (parts: { text: string; intent: string; confidence: number }[]): IntentPrediction => ({
  intent: 'switch_account',
  confidence: 0.9,
  outOfScope: false,
  topIntent: 'switch_account',
  alternatives: [{ intent: 'switch_account', probability: 0.9 }],
  multiIntent: { intents: [...new Set(parts.filter((p) => p.confidence >= 0.7).map((p) => p.intent))], parts },
  explanation: { topTerms: [], neighbours: [] },
});

describe('a subject read with a short ask', () => {
  it('is context, not a second question', () => {
    const p = prediction([
      { text: 'Question about my order', intent: 'track_order', confidence: 0.8 },
      { text: 'switching to another account', intent: 'switch_account', confidence: 0.9 },
    ]);
    expect(withoutSubjectIntent(p, 'Question about my order').multiIntent).toBeNull();
    expect(withoutSubjectIntent(p, null)).toBe(p);
  });

  it('leaves two questions of the body flagged', () => {
    const p = prediction([
      { text: 'Help', intent: 'other', confidence: 0.75 },
      { text: 'where are my invoices', intent: 'billing_invoice', confidence: 0.8 },
      { text: 'how do I connect Slack', intent: 'integrations', confidence: 0.85 },
    ]);
    expect(withoutSubjectIntent(p, 'Help').multiIntent?.intents).toEqual(['other', 'billing_invoice', 'integrations']);
  });
});
