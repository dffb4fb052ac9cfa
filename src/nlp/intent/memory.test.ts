import { describe, expect, it } from 'vitest';
import type { IntentPrediction } from './schema.js';
import {
  articlePhrases,
  articleStatements,
  combineWithMemory,
  fitCombination,
  fitPlatt,
  NeighbourMemory,
  withMemory,
  type Combination,
  type CombinationRow,
} from './memory.js';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs, (x) => x / n);
};
const W: Combination = { alpha: 1, beta: 10, a: 1, b: 0, oosLevel: 0.5, fittedOn: 'test' };

describe('NeighbourMemory', () => {
  it(
    'votes per label with the cosine of its nearest entry, ' + 'and a newer entry of the same key replaces the old one',
    () => {
      const m = new NeighbourMemory('enc');
      m.set({ key: 't1', text: 'my September bill', label: 'billing_invoice', source: 'label', vector: unit(1, 0, 0) });
      m.set({
        key: 'a1',
        text: 'Reset your password',
        label: 'password_reset',
        source: 'article',
        vector: unit(0, 1, 0),
      });
      const v = m.vote(unit(1, 0.2, 0));
      expect(v.similarity.get('billing_invoice')).toBeGreaterThan(v.similarity.get('password_reset')!);
      expect(v.nearest[0]).toMatchObject({ label: 'billing_invoice', source: 'label' });
      // a relabel: same ticket, new label
      m.set({
        key: 't1',
        text: 'my September bill',
        label: 'billing_failed_payment',
        source: 'label',
        vector: unit(1, 0, 0),
      });
      expect(m.size).toBe(2);
      expect(m.vote(unit(1, 0, 0)).similarity.has('billing_invoice')).toBe(false);
    },
  );
});

describe('combineWithMemory', () => {
  const linear = new Map([
    ['billing_invoice', 0.3],
    ['other', 0.6],
    ['password_reset', 0.1],
  ]);
  it('follows the model when the memory is indifferent (beta 0) and the memory when it is close to one label', () => {
    const vote = {
      similarity: new Map([
        ['billing_invoice', 0.97],
        ['other', 0.2],
        ['password_reset', 0.1],
      ]),
      nearest: [],
    };
    expect(combineWithMemory(linear, vote, { ...W, beta: 0 })!.top).toBe('other');
    const r = combineWithMemory(linear, vote, W)!;
    expect(r.top).toBe('billing_invoice');
    expect(r.confidence).toBeGreaterThan(0.9);
    expect(r.outOfScope).toBe(false);
  });
  it('gives a label only the memory knows a chance (a new human label), and nothing to vote on gives the model', () => {
    const vote = {
      similarity: new Map([
        ['new_intent', 0.99],
        ['other', 0.3],
      ]),
      nearest: [],
    };
    expect(combineWithMemory(linear, vote, W)!.top).toBe('new_intent');
    expect(combineWithMemory(new Map(), { similarity: new Map(), nearest: [] }, W)).toBeNull();
  });
  it('is out of scope under the fitted level', () => {
    const flat = new Map([
      ['a', 0.5],
      ['b', 0.5],
    ]);
    const r = combineWithMemory(
      flat,
      {
        similarity: new Map([
          ['a', 0.3],
          ['b', 0.3],
        ]),
        nearest: [],
      },
      W,
    )!;
    expect(r.confidence).toBeCloseTo(0.5, 5);
    expect(combineWithMemory(flat, { similarity: new Map(), nearest: [] }, { ...W, oosLevel: 0.6 })!.outOfScope).toBe(
      true,
    );
  });
});

describe('fitCombination', () => {
  it('weights the memory when its vote is informative and not when it is noise', () => {
    const labels = ['a', 'b', 'c'];
    const rows = (informative: boolean): CombinationRow[] =>
      Array.from({ length: 90 }, (_, i) => {
        const label = labels[i % 3]!;
        // the model is weak: 40% on the right label; the memory, when informative, sits close to the right label
        const linear = new Map(labels.map((l) => [l, l === label ? 0.4 : 0.3]));
        const similarity = new Map(
          labels.map((l, k) => [l, informative ? (l === label ? 0.9 : 0.3) : ((i * 7 + k * 13) % 10) / 10]),
        );
        return { linear, vote: { similarity, nearest: [] }, label };
      });
    const good = fitCombination(rows(true), 'informative');
    const noise = fitCombination(rows(false), 'noise');
    expect(good.beta).toBeGreaterThan(noise.beta);
    expect(good.beta).toBeGreaterThan(0);
    expect(good.oosLevel).toBeLessThanOrEqual(0.9);
    expect(() => fitCombination(rows(true).slice(0, 5), 'few')).toThrow(/too few/);
  });
  it('fits a Platt map that shrinks overconfident scores', () => {
    // x = logit 2.2 (p 0.9) but only 60% right
    const rows = Array.from({ length: 200 }, (_, i) => ({ x: 2.2, y: i % 5 < 3 ? 1 : 0 }));
    const { a, b } = fitPlatt(rows);
    expect(1 / (1 + Math.exp(-(a * 2.2 + b)))).toBeCloseTo(0.6, 1);
  });
});

describe('withMemory', () => {
  const prediction: IntentPrediction = {
    intent: null,
    confidence: 0.31,
    outOfScope: true,
    topIntent: 'other',
    alternatives: [{ intent: 'other', probability: 0.31 }],
    multiIntent: null,
    explanation: { topTerms: [], neighbours: [] },
  };
  it('records in words and a code what the memory changed', () => {
    const vote = {
      similarity: new Map([['billing_invoice', 0.98]]),
      nearest: [{ text: 'my September bill', label: 'billing_invoice', source: 'label' as const, similarity: 0.98 }],
    };
    const reading = combineWithMemory(
      new Map([
        ['other', 0.31],
        ['billing_invoice', 0.2],
      ]),
      vote,
      W,
    )!;
    const { prediction: p, record } = withMemory(prediction, reading, vote, 12);
    expect(p).toMatchObject({ intent: 'billing_invoice', outOfScope: false, topIntent: 'billing_invoice' });
    expect(record.code).toBe('changed_intent');
    expect(record.detail).toMatch(/my September bill.*a person's label/);
    expect(record).toMatchObject({ linear: { intent: null, confidence: 0.31 }, entries: 12 });
  });
  it(
    'keeps the model reading when the memory leans to another intent without confidence, and never pushes an ' +
      'intent out of scope',
    () => {
      const vote = {
        similarity: new Map([
          ['billing_invoice', 0.5],
          ['other', 0.45],
        ]),
        nearest: [],
      };
      const weak = combineWithMemory(
        new Map([
          ['other', 0.4],
          ['billing_invoice', 0.35],
        ]),
        vote,
        { ...W, oosLevel: 0.9 },
      )!;
      expect(weak.top).toBe('billing_invoice');
      expect(withMemory(prediction, weak, vote, 2)).toMatchObject({ prediction, record: { code: 'kept' } });
      const inScope = { ...prediction, intent: 'other', outOfScope: false, confidence: 0.7 };
      const same = combineWithMemory(
        new Map([
          ['other', 0.7],
          ['billing_invoice', 0.3],
        ]),
        {
          similarity: new Map([
            ['other', 0.3],
            ['billing_invoice', 0.3],
          ]),
          nearest: [],
        },
        { ...W, oosLevel: 0.99 },
      )!;
      expect(withMemory(inScope, same, vote, 2).prediction).toMatchObject({ intent: 'other', outOfScope: false });
    },
  );
});

describe('article evidence', () => {
  it('changes intent and scope but never raises the confidence above the model', () => {
    const prediction: IntentPrediction = {
      intent: null,
      confidence: 0.4,
      outOfScope: true,
      topIntent: 'password_reset',
      alternatives: [{ intent: 'password_reset', probability: 0.4 }],
      multiIntent: null,
      explanation: { topTerms: [], neighbours: [] },
    };
    const vote = {
      similarity: new Map([['password_reset', 0.95]]),
      nearest: [{ text: 'Reset your password', label: 'password_reset', source: 'article' as const, similarity: 0.95 }],
    };
    const reading = combineWithMemory(
      new Map([
        ['password_reset', 0.4],
        ['other', 0.6],
      ]),
      vote,
      W,
    )!;
    expect(reading.confidence).toBeGreaterThan(0.9);
    expect(withMemory(prediction, reading, vote, 1).prediction).toMatchObject({
      intent: 'password_reset',
      outOfScope: false,
      confidence: 0.4,
    });
  });
});

describe('articlePhrases', () => {
  it('takes the title, headings and questions of an article', () => {
    const body =
      '## Resetting your password\nOpen the sign-in page. Forgot your password? Click the link.\n\n### If the ' +
      'email never arrives\nCheck spam.';
    expect(articlePhrases('Reset your password', body)).toEqual([
      'Reset your password',
      'Resetting your password',
      'If the email never arrives',
      'Forgot your password?',
    ]);
  });
});

describe('articleStatements', () => {
  it('takes the sentences of an article that are neither headings nor questions, without markup', () => {
    const body =
      '## Add a source\n\nGo to **Settings → Connections** and pick Snowflake or BigQuery. Forgot the host?\n\n' +
      '## Test it\nClick **Test connection** to check the credentials.';
    expect(articleStatements(body)).toEqual([
      'Go to Settings → Connections and pick Snowflake or BigQuery.',
      'Click Test connection to check the credentials.',
    ]);
  });
});
