import { describe, expect, it } from 'vitest';
import { allocateSample, describeSample, sampleNewest } from './label-sample.js';

const labels = (spec: Record<string, number>) =>
  Object.entries(spec).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ label, text: `${label} ${i}` })));

describe('allocateSample', () => {
  it('keeps rare intents whole and shares the rest equally among the large ones', () => {
    const counts = new Map([
      ['rare', 5],
      ['big', 1000],
      ['bigger', 5000],
      ['mid', 30],
    ]);
    const a = allocateSample(counts, 235);
    expect(Object.fromEntries(a)).toEqual({ rare: 5, mid: 30, big: 100, bigger: 100 });
    expect([...a.values()].reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(235);
  });

  it('keeps everything under the budget, and one label of each intent when there are more intents than it', () => {
    const counts = new Map([
      ['a', 3],
      ['b', 4],
    ]);
    expect(Object.fromEntries(allocateSample(counts, 100))).toEqual({ a: 3, b: 4 });
    const many = new Map(Array.from({ length: 10 }, (_, i) => [`i${i}`, 50] as const));
    const a = allocateSample(many, 4);
    expect(a.size).toBe(10);
    expect([...a.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('sampleNewest', () => {
  it('keeps each intent’s newest labels, in their order, and says what it kept', () => {
    const examples = labels({ a: 10, b: 3 }); // oldest first: a 0..9, then b 0..2
    const { examples: kept, sample } = sampleNewest(examples, 7);
    expect(kept.map((e) => e.text)).toEqual(['a 6', 'a 7', 'a 8', 'a 9', 'b 0', 'b 1', 'b 2']);
    expect(sample).toEqual({ labels: 13, used: 7, intents: 2, perIntent: 4, cutIntents: 1, max: 7 });
  });

  it('keeps every label below the budget', () => {
    const examples = labels({ a: 2, b: 2 });
    const { examples: kept, sample } = sampleNewest(examples, 10);
    expect(kept).toEqual(examples);
    expect(sample).toMatchObject({ used: 4, cutIntents: 0 });
  });

  it('bounds a million labels to the budget, every intent present', () => {
    const counts = new Map(Array.from({ length: 60 }, (_, i) => [`i${i}`, i < 5 ? 3 : 20_000] as const));
    const a = allocateSample(counts, 20_000);
    const s = describeSample(counts, a, 20_000);
    expect(s.labels).toBe(1_100_015);
    expect(s.used).toBeLessThanOrEqual(20_000);
    expect(s.used).toBeGreaterThan(19_900);
    expect(s).toMatchObject({ intents: 60, cutIntents: 55 });
    for (let i = 0; i < 5; i++) expect(a.get(`i${i}`)).toBe(3);
  });
});
