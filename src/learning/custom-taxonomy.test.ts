import { describe, expect, it } from 'vitest';
import type { IntentPrediction } from '../nlp/intent/index.js';
import { STARTER_TAXONOMY } from '../nlp/taxonomy.js';
import { inScopeByWorkspace } from '../pipeline/ports/intent-port.js';
import { billingPrior, pagePrior, pageWords } from '../pipeline/stages/understand.js';
import { fitWorkspaceOos, OWN_TAXONOMY_MIN_LABELS, starterPolicy } from './training.js';

const prediction = (over: Partial<IntentPrediction>): IntentPrediction => ({
  intent: 'cancel_order',
  confidence: 0.5,
  outOfScope: false,
  topIntent: 'cancel_order',
  alternatives: [],
  multiIntent: null,
  explanation: { topTerms: [], neighbours: [] },
  ...over,
});
const labelled = (labels: string[], n = 2) =>
  labels.flatMap((label) => Array.from({ length: n }, (_, i) => ({ text: `${label} example ${i}`, label })));

describe('the starter taxonomy beside a workspace of its own', () => {
  it('retires the starter intents when the workspace labels intents of its own, merging those it shares', () => {
    const shop = ['cancel_order', 'track_order', 'change_order', 'get_refund', 'delivery_period', 'billing_refund'];
    const policy = starterPolicy(labelled(shop));
    expect(policy.use).toBe('shared');
    expect(policy.kept).toEqual(['billing_refund']);
    expect(policy.retired).toContain('other');
    expect(policy.retired).toHaveLength(STARTER_TAXONOMY.length - 1);
  });

  it('keeps the starter taxonomy for a few labels of its own, or for starter labels', () => {
    expect(starterPolicy(labelled(['scheduler_stuck'])).use).toBe('all');
    expect(starterPolicy(labelled(['scheduler_stuck', 'a', 'b', 'c'])).use).toBe('all');
    expect(OWN_TAXONOMY_MIN_LABELS).toBe(5);
    expect(starterPolicy(labelled(STARTER_TAXONOMY.map((i) => i.id))).use).toBe('all');
    expect(starterPolicy([]).use).toBe('all');
  });
});

describe("the workspace's out-of-scope decision", () => {
  it('puts a top intent at or above the fitted confidence in scope, with the reason', () => {
    const oos = prediction({ intent: null, outOfScope: true, topIntent: 'change_order', confidence: 0.46 });
    const adjusted = inScopeByWorkspace(oos, 0.45);
    expect(adjusted.prediction).toMatchObject({ intent: 'change_order', outOfScope: false, confidence: 0.46 });
    expect(adjusted.scopeAdjusted).toMatch(/0\.45/);
    expect(inScopeByWorkspace(oos, 0.5).prediction.outOfScope).toBe(true);
    expect(inScopeByWorkspace(oos, null).scopeAdjusted).toBeNull();
    // It never puts an in-scope prediction out of scope.
    expect(inScopeByWorkspace(prediction({ confidence: 0.1 }), 0.5).prediction.outOfScope).toBe(false);
  });

  it('is fitted on held-out labels of the workspace, and not without enough of them', () => {
    const topics: Record<string, string[]> = {
      cancel_order: ['cancel', 'order', 'stop', 'purchase'],
      track_order: ['track', 'where', 'package', 'shipment'],
      get_refund: ['refund', 'money', 'back', 'reimburse'],
      change_address: ['address', 'change', 'street', 'move'],
      newsletter: ['newsletter', 'subscribe', 'emails', 'unsubscribe'],
    };
    const examples = Object.entries(topics).flatMap(([label, words]) =>
      Array.from({ length: 24 }, (_, i) => ({
        text: `please ${words[i % 4]} my ${words[(i + 1) % 4]} ${words[(i + 2) % 4]} now ${i}`,
        label,
      })),
    );
    const fitted = fitWorkspaceOos(examples);
    expect(fitted).not.toBeNull();
    expect(fitted!.heldOut).toBeGreaterThanOrEqual(20);
    expect(fitted!.confidence).toBeGreaterThan(0);
    expect(fitted!.confidence).toBeLessThanOrEqual(1);
    expect(fitWorkspaceOos(examples.slice(0, 30))).toBeNull();
  });
});

describe('priors from what Deskmind knows', () => {
  it('reads a past-due locked-out customer as a failed payment, keeping the model’s access-or-billing belief', () => {
    const p = prediction({
      intent: 'account_access',
      topIntent: 'account_access',
      confidence: 0.65,
      alternatives: [
        { intent: 'account_access', probability: 0.65 },
        { intent: 'outage', probability: 0.2 },
        { intent: 'billing_failed_payment', probability: 0.05 },
      ],
    });
    const out = billingPrior(p, 'Why has our account been locked?', 'past_due', true);
    expect(out.prediction.intent).toBe('billing_failed_payment');
    expect(out.prediction.confidence).toBeCloseTo(0.7, 6);
    expect(out.adjusted).toMatch(/cannot get in/);
    expect(billingPrior(p, 'Why has our account been locked?', 'past_due', false).adjusted).toBeNull();
    expect(billingPrior(p, 'Why has our account been locked?', 'active', true).adjusted).toBeNull();
  });

  it('lets the page tip a close call towards its feature, and no more', () => {
    const words = pageWords({ featureId: 'settings-billing' });
    expect(words).toEqual(['set', 'bill']);
    const close = prediction({
      intent: 'how_to',
      topIntent: 'how_to',
      confidence: 0.45,
      alternatives: [
        { intent: 'how_to', probability: 0.45 },
        { intent: 'billing_invoice', probability: 0.4 },
      ],
    });
    expect(pagePrior(close, words).prediction).toMatchObject({ intent: 'billing_invoice', confidence: 0.4 });
    expect(pagePrior(close, words).adjusted).toMatch(/page/);
    const clear = prediction({
      intent: 'how_to',
      topIntent: 'how_to',
      confidence: 0.8,
      alternatives: [
        { intent: 'how_to', probability: 0.8 },
        { intent: 'billing_invoice', probability: 0.1 },
      ],
    });
    expect(pagePrior(clear, words).adjusted).toBeNull();
    expect(pagePrior(close, []).adjusted).toBeNull();
  });
});
