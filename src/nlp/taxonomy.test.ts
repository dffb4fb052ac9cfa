import { describe, expect, it } from 'vitest';
import {
  MIN_EXAMPLES_PER_INTENT,
  STARTER_TAXONOMY,
  StarterExampleSchema,
  TaxonomyIntentSchema,
  starterExamples,
  starterIntent,
} from './taxonomy.js';

const REQUIRED_IDS = [
  'account_access',
  'password_reset',
  'two_factor',
  'billing_invoice',
  'billing_refund',
  'billing_failed_payment',
  'billing_plan_change',
  'billing_cancellation',
  'how_to',
  'bug_report',
  'feature_request',
  'data_export',
  'integrations',
  'security_privacy',
  'outage',
  'other',
];

const canon = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

describe('STARTER_TAXONOMY', () => {
  it('validates against the schema', () => {
    for (const intent of STARTER_TAXONOMY) expect(() => TaxonomyIntentSchema.parse(intent)).not.toThrow();
  });

  it('has unique snake_case ids and all the required intents', () => {
    const ids = STARTER_TAXONOMY.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
    for (const id of REQUIRED_IDS) expect(ids).toContain(id);
  });

  it(`gives every intent at least ${MIN_EXAMPLES_PER_INTENT} examples`, () => {
    for (const intent of STARTER_TAXONOMY) {
      expect(intent.examples.length, intent.id).toBeGreaterThanOrEqual(MIN_EXAMPLES_PER_INTENT);
    }
  });

  it('has no duplicate phrasing anywhere (ignoring case and punctuation)', () => {
    const seen = new Map<string, string>();
    const dups: string[] = [];
    for (const intent of STARTER_TAXONOMY) {
      for (const text of intent.examples) {
        const key = canon(text);
        if (seen.has(key)) dups.push(`${text} (${seen.get(key)} / ${intent.id})`);
        seen.set(key, intent.id);
      }
    }
    expect(dups).toEqual([]);
  });

  it('varies example length and includes plan context', () => {
    for (const intent of STARTER_TAXONOMY) {
      const lengths = intent.examples.map((e) => e.split(/\s+/).length);
      expect(Math.min(...lengths), intent.id).toBeLessThanOrEqual(6);
      expect(Math.max(...lengths), intent.id).toBeGreaterThanOrEqual(12);
    }
    const withPlan = STARTER_TAXONOMY.filter((i) => i.examples.some((e) => /\b(pro|enterprise) plan\b/i.test(e)));
    expect(withPlan.length).toBeGreaterThanOrEqual(12);
  });

  it('splits how_to by feature and the examples are the union of the features', () => {
    const howTo = starterIntent('how_to');
    expect(howTo?.features?.length).toBeGreaterThanOrEqual(4);
    expect(howTo?.examples).toEqual(howTo?.features?.flatMap((f) => f.examples));
    expect(starterIntent('nope')).toBeUndefined();
  });
});

describe('starterExamples', () => {
  it('returns one labelled example per phrasing', () => {
    const examples = starterExamples();
    const total = STARTER_TAXONOMY.reduce((n, i) => n + i.examples.length, 0);
    expect(examples).toHaveLength(total);
    for (const e of examples) expect(() => StarterExampleSchema.parse(e)).not.toThrow();
    const labels = new Set(examples.map((e) => e.label));
    expect([...labels].sort()).toEqual(STARTER_TAXONOMY.map((i) => i.id).sort());
    expect(examples.find((e) => e.text === 'How do I export CSV from the dashboard?')).toEqual({
      text: 'How do I export CSV from the dashboard?',
      label: 'how_to',
      feature: 'reports',
    });
    expect(examples.find((e) => e.text === 'I forgot my password')).toEqual({
      text: 'I forgot my password',
      label: 'password_reset',
    });
  });

  it('accepts a custom taxonomy', () => {
    const custom = [
      { id: 'x', label: 'X', description: 'x', team: 'success' as const, automatable: true, examples: ['a', 'b'] },
    ];
    expect(starterExamples(custom)).toEqual([
      { text: 'a', label: 'x' },
      { text: 'b', label: 'x' },
    ]);
  });
});
