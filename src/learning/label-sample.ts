/**
 * The labels a training run learns from when a workspace holds more than it can train on in bounded time and
 * memory: a sample stratified by intent, the newest labels of each intent first. Training time grows with the
 * number of examples (`deskmind train` trains three times: a held-out check, an out-of-scope probe and the model;
 * 10k labels took two minutes of a core, bench/results/retrain.json), so 100k or 1M labels would take an hour or
 * more; at most {@link TRAINING_SAMPLE_MAX} are used instead: about 200 per intent with 50 intents, the size of
 * Banking77's training set. Pure: no I/O.
 */
import { z } from 'zod';

/** Most labels one training run or retrain learns from. */
export const TRAINING_SAMPLE_MAX = 10_000;

/** What a sample kept of the labels it was drawn from (stored with the model it trained). */
export const LabelSampleSchema = z.object({
  /** Labels there were to draw from. */
  labels: z.number().int().min(0),
  /** Labels kept. */
  used: z.number().int().min(0),
  /** Intents among the labels (each keeps at least one). */
  intents: z.number().int().min(0),
  /** Most labels kept of one intent: intents with more were cut to their newest `perIntent`. */
  perIntent: z.number().int().min(0),
  /** Intents cut to their newest labels; every other intent is kept whole. */
  cutIntents: z.number().int().min(0),
  /** The most labels a sample keeps. */
  max: z.number().int().min(1),
});
export type LabelSample = z.infer<typeof LabelSampleSchema>;

/**
 * How many labels of each intent a sample of at most `max` keeps, given how many each holds: rare intents whole,
 * the others an equal share of what is left (max-min fair: intents in increasing size each take what they hold or
 * an equal part of the remaining budget, whichever is less). Every intent keeps at least one label, even when
 * there are more intents than `max`.
 *
 * @example allocateSample(new Map([['a', 5], ['b', 100], ['c', 100]]), 45) // a: 5, b: 20, c: 20
 */
export function allocateSample(counts: ReadonlyMap<string, number>, max: number): Map<string, number> {
  const sizes = [...counts].filter(([, n]) => n > 0).sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  const out = new Map<string, number>();
  let left = max;
  sizes.forEach(([label, n], i) => {
    const take = Math.max(1, Math.min(n, Math.floor(left / (sizes.length - i))));
    out.set(label, take);
    left = Math.max(0, left - take);
  });
  return out;
}

/** The record of a sample: what `allocation` keeps of `counts`. */
export function describeSample(
  counts: ReadonlyMap<string, number>,
  allocation: ReadonlyMap<string, number>,
  max: number,
): LabelSample {
  let labels = 0;
  let used = 0;
  let perIntent = 0;
  let cutIntents = 0;
  for (const [label, n] of counts) {
    const kept = allocation.get(label) ?? 0;
    labels += n;
    used += kept;
    perIntent = Math.max(perIntent, kept);
    if (kept < n) cutIntents++;
  }
  return { labels, used, intents: allocation.size, perIntent, cutIntents, max };
}

/**
 * At most `max` of `examples` (oldest first), stratified by intent ({@link allocateSample}): each intent keeps its
 * newest labels. The kept examples stay in their order (oldest first). Below `max` every example is kept.
 *
 * @example sampleNewest(heldExamples(model), 10_000).examples.length // ≤ 10 000
 */
export function sampleNewest<T extends { label: string }>(
  examples: readonly T[],
  max = TRAINING_SAMPLE_MAX,
): { examples: T[]; sample: LabelSample } {
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const allocation = allocateSample(counts, max);
  const sample = describeSample(counts, allocation, max);
  if (sample.used === examples.length) return { examples: [...examples], sample };
  const left = new Map(allocation);
  const kept: T[] = [];
  for (let i = examples.length - 1; i >= 0; i--) {
    const e = examples[i]!;
    const n = left.get(e.label) ?? 0;
    if (n <= 0) continue;
    left.set(e.label, n - 1);
    kept.push(e);
  }
  return { examples: kept.reverse(), sample };
}
