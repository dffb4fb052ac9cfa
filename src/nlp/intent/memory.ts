/**
 * Nearest-neighbour memory beside the linear intent model: sentence vectors (../encoder.ts) of the workspace's
 * labelled tickets, of the human labels set since the model last learned, and of what its articles say they
 * answer (titles, headings, questions). A person's label counts here the moment it is stored — no update, no
 * retrain — and the next retrain folds it into the weights.
 *
 * The memory votes with, per intent, the cosine of its nearest entry; {@link combineWithMemory} joins that vote
 * to the linear model's probabilities as a product of experts (`α·log p + β·s`), then maps the top share through
 * a Platt map to a confidence. Its weights are fitted on training slices by {@link fitCombination}.
 *
 * @example
 * const memory = new NeighbourMemory('use-lite:512@1');
 * memory.set({ key: 't1', text: 'my September bill', label: 'billing_invoice', source: 'label', vector });
 * const combined = combineWithMemory(linear, memory.vote(queryVector), PRIOR_COMBINATION);
 */
import { z } from 'zod';
import type { IntentPrediction } from './schema.js';

/** Where an entry of the memory comes from. */
export const MemorySourceSchema = z.enum(['label', 'article']);
export type MemorySource = z.infer<typeof MemorySourceSchema>;

export interface MemoryEntry {
  /** Identity of the entry (a ticket id, an article passage): a newer entry with the same key replaces it. */
  key: string;
  text: string;
  label: string;
  source: MemorySource;
  /** Unit-length sentence vector. */
  vector: Float32Array;
}

export const MemoryNeighbourSchema = z.object({
  text: z.string(),
  label: z.string(),
  source: MemorySourceSchema,
  similarity: z.number(),
});
export type MemoryNeighbour = z.infer<typeof MemoryNeighbourSchema>;

/** The memory's vote on one text: per intent, the cosine of its nearest entry, and the nearest entries overall. */
export interface MemoryVote {
  similarity: Map<string, number>;
  nearest: MemoryNeighbour[];
}

/** The combination's weights (see {@link combineWithMemory}), fitted on training slices. */
export const CombinationSchema = z.object({
  /** Weight of the linear model's log-probabilities. */
  alpha: z.number().min(0),
  /** Weight of the memory's per-intent cosine. */
  beta: z.number().min(0),
  /** Platt map of the top share: confidence = σ(a·logit(q) + b). */
  a: z.number(),
  b: z.number(),
  /** A combined confidence under this is out of scope (95% precision on the fitting slice). */
  oosLevel: z.number().min(0).max(1),
  /** Rows the weights were fitted on, and where they came from. */
  fittedOn: z.string(),
});
export type Combination = z.infer<typeof CombinationSchema>;

/**
 * Weights for a workspace that has not fitted its own, fitted by `npm run bench -- memory` on Banking77's train file
 * only (10 examples per intent in model and memory, 600 other train rows scored; see bench/results/memory.json).
 * The weights fitted on the Pipewise fixture's dev split (α 1, β 20, a 1.645, b 0.095, level 0.57) read more tickets
 * right there but are overconfident: on its test split they sent 2 wrong answers of 26 (docs/intent-memory.md).
 */
export const PRIOR_COMBINATION: Combination = {
  alpha: 0.75,
  beta: 15,
  a: 0.708,
  b: -0.103,
  oosLevel: 0.804,
  fittedOn: 'Banking77 train: 10 per intent in model and memory, 600 other train rows scored',
};

/** Nearest entries kept for the explanation. */
const NEAREST_SHOWN = 3;
/** The cosine a label without entries counts as: an unrelated sentence's (0.1–0.3), or the least similar label's if
 * lower. */
const ABSENT_COSINE = 0.3;

/** A bounded set of labelled sentence vectors of one encoder. */
export class NeighbourMemory {
  private readonly entries = new Map<string, MemoryEntry>();

  constructor(readonly encoderId: string) {}

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces an entry (by key). */
  set(entry: MemoryEntry): void {
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Labels present in the memory. */
  labels(): Set<string> {
    return new Set([...this.entries.values()].map((e) => e.label));
  }

  /** Per label the cosine of its nearest entry, and the nearest entries overall (best first). */
  vote(vector: Float32Array): MemoryVote {
    const similarity = new Map<string, number>();
    const top: { e: MemoryEntry; s: number }[] = [];
    for (const e of this.entries.values()) {
      let s = 0;
      const v = e.vector;
      const n = Math.min(v.length, vector.length);
      for (let d = 0; d < n; d++) s += v[d]! * vector[d]!;
      if (s > (similarity.get(e.label) ?? -Infinity)) similarity.set(e.label, s);
      if (top.length < NEAREST_SHOWN || s > top.at(-1)!.s) {
        top.push({ e, s });
        top.sort((x, y) => y.s - x.s);
        if (top.length > NEAREST_SHOWN) top.pop();
      }
    }
    return {
      similarity,
      nearest: top.map(({ e, s }) => ({
        text: e.text.slice(0, 200),
        label: e.label,
        source: e.source,
        similarity: round(s),
      })),
    };
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const logit = (p: number) => Math.log(Math.max(1e-9, p) / Math.max(1e-9, 1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The linear model's probabilities over its labels, as a map. */
export type LinearProbabilities = Map<string, number>;

/** The combined reading: shares over the labels, the top label and its calibrated confidence. */
export interface CombinedReading {
  shares: Map<string, number>;
  top: string;
  /** Calibrated probability that `top` is right. */
  confidence: number;
  outOfScope: boolean;
}

/**
 * Joins the linear model's probabilities and the memory's vote: `z = α·log p + β·s` per label, softmax, and the
 * top share through the Platt map. A label only the memory knows (a person's new label, not yet learned by the
 * model) gets the model's smallest probability; a label the memory lacks counts as unrelated (`ABSENT_COSINE`).
 */
export function combineWithMemory(
  linear: LinearProbabilities,
  vote: MemoryVote,
  w: Combination,
): CombinedReading | null {
  const labels = new Set([...linear.keys(), ...vote.similarity.keys()]);
  if (labels.size === 0) return null;
  const pMin = Math.max(1e-6, Math.min(...(linear.size ? [...linear.values()] : [1])));
  const sMin = Math.min(ABSENT_COSINE, ...vote.similarity.values());
  const z = new Map<string, number>();
  let max = -Infinity;
  for (const l of labels) {
    const v = w.alpha * Math.log(Math.max(pMin, linear.get(l) ?? pMin)) + w.beta * (vote.similarity.get(l) ?? sMin);
    z.set(l, v);
    if (v > max) max = v;
  }
  let sum = 0;
  for (const [l, v] of z) {
    const e = Math.exp(v - max);
    z.set(l, e);
    sum += e;
  }
  let top = '';
  let best = -1;
  const shares = new Map<string, number>();
  for (const [l, e] of z) {
    const q = e / sum;
    shares.set(l, q);
    if (q > best) [best, top] = [q, l];
  }
  const confidence = sigmoid(w.a * logit(best) + w.b);
  return { shares, top, confidence, outOfScope: confidence < w.oosLevel };
}

/** One training-slice row: the linear model's probabilities and the memory's vote on a text whose label is known. */
export interface CombinationRow {
  linear: LinearProbabilities;
  vote: MemoryVote;
  label: string;
}

const ALPHAS = [0.5, 0.75, 1, 1.5, 2];
const BETAS = [0, 2, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40];
/** Precision the out-of-scope level keeps among the rows it lets through. */
export const OOS_PRECISION = 0.95;

/**
 * Fits the combination on rows of a training slice (texts neither the model nor the memory holds): α and β by
 * the log-loss of the true label, then the Platt map of the top share on whether the top is right, then the
 * out-of-scope level — the lowest confidence above which the slice's tops are right `OOS_PRECISION` of the time.
 */
export function fitCombination(rows: CombinationRow[], fittedOn: string): Combination {
  if (rows.length < 20) throw new Error(`fitCombination: ${rows.length} rows are too few (need 20)`);
  let bestLoss = Infinity;
  let ab = { alpha: 1, beta: 0 };
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      const w = { alpha, beta, a: 1, b: 0, oosLevel: 0, fittedOn };
      let loss = 0;
      for (const r of rows)
        loss -= Math.log(Math.max(1e-9, combineWithMemory(r.linear, r.vote, w)?.shares.get(r.label) ?? 0));
      if (loss < bestLoss) [bestLoss, ab] = [loss, { alpha, beta }];
    }
  }
  const tops = rows.map((r) => {
    const c = combineWithMemory(r.linear, r.vote, { ...ab, a: 1, b: 0, oosLevel: 0, fittedOn })!;
    return { x: logit(c.shares.get(c.top)!), y: c.top === r.label ? 1 : 0 };
  });
  const { a, b } = fitPlatt(tops);
  const conf = tops.map((t) => ({ c: sigmoid(a * t.x + b), right: t.y === 1 })).sort((p, q) => q.c - p.c);
  let right = 0;
  let oosLevel = 1;
  conf.forEach((t, i) => {
    if (t.right) right++;
    if (right / (i + 1) >= OOS_PRECISION) oosLevel = t.c;
  });
  return CombinationSchema.parse({
    ...ab,
    a: round(a),
    b: round(b),
    oosLevel: round(Math.min(oosLevel, 0.9)),
    fittedOn,
  });
}

/** Logistic regression of y on x (Newton steps, a light L2 pull towards the identity map a=1, b=0). */
export function fitPlatt(rows: { x: number; y: number }[]): { a: number; b: number } {
  let a = 1;
  let b = 0;
  const lambda = 1e-2;
  for (let it = 0; it < 50; it++) {
    let ga = lambda * (a - 1);
    let gb = lambda * b;
    let haa = lambda;
    let hab = 0;
    let hbb = lambda;
    for (const { x, y } of rows) {
      const p = sigmoid(a * x + b);
      const d = p - y;
      const h = p * (1 - p);
      ga += d * x;
      gb += d;
      haa += h * x * x;
      hab += h * x;
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-8) break;
  }
  return { a, b };
}

/** What the memory did to one prediction, for the decision record (plain words and a code). */
export const MemoryRecordSchema = z.object({
  /** How the combined reading compares with the model's (`kept`: the model's reading stands). */
  code: z.enum(['changed_intent', 'into_scope', 'raised_confidence', 'lowered_confidence', 'kept']),
  detail: z.string(),
  linear: z.object({ intent: z.string().nullable(), confidence: z.number() }),
  combined: z.object({ intent: z.string().nullable(), confidence: z.number() }),
  nearest: z.array(MemoryNeighbourSchema),
  entries: z.number().int(),
});
export type MemoryRecord = z.infer<typeof MemoryRecordSchema>;

/**
 * The prediction under the memory's vote: intent, confidence, scope and alternatives from the combined reading,
 * the model's explanation kept and the memory's nearest entries added; with the record of what changed.
 */
export function withMemory(
  prediction: IntentPrediction,
  reading: CombinedReading,
  vote: MemoryVote,
  entries: number,
): { prediction: IntentPrediction; record: MemoryRecord } {
  const before = { intent: prediction.intent, confidence: round(prediction.confidence) };
  const near = vote.nearest[0];
  const why = near
    ? `its nearest remembered example is "${near.text.slice(0, 80)}" (${near.label}, ` +
      `${near.source === 'label' ? "a person's label" : 'an article'}, cosine ${near.similarity})`
    : 'it has no entries';
  const top = prediction.topIntent ?? 'none';
  const nearest = vote.nearest;
  // Another intent needs the memory's confidence in scope; the model's own intent keeps the scope the model gave it
  // unless the memory brings it in.
  if (reading.top !== prediction.topIntent && reading.outOfScope) {
    const detail =
      `the memory of labelled examples leans towards ${reading.top} (${round(reading.confidence)}), ` +
      `not enough to change the model's ${top}: ${why}`;
    return { prediction, record: { code: 'kept', detail, linear: before, combined: before, nearest, entries } };
  }
  const intent = prediction.outOfScope && reading.outOfScope ? null : reading.top;
  // An article says which topic it covers, not that it answers this question: article evidence decides intent and
  // scope, never autonomy — with an article nearest, the confidence stays at most the model's for that intent.
  const modelP =
    reading.top === prediction.topIntent
      ? prediction.confidence
      : (prediction.alternatives.find((a) => a.intent === reading.top)?.probability ?? 0);
  const confidence = near?.source === 'article' ? Math.min(reading.confidence, modelP) : reading.confidence;
  const after = { intent, confidence: round(confidence) };
  const [code, detail]: [MemoryRecord['code'], string] =
    reading.top !== prediction.topIntent
      ? [
          'changed_intent',
          `the memory of labelled examples reads ${reading.top} (${after.confidence}) instead of the model's ` +
            `${top} (${before.confidence}): ${why}`,
        ]
      : prediction.outOfScope && intent
        ? [
            'into_scope',
            `the memory of labelled examples agrees with ${top} and brings it in scope (${before.confidence} → ` +
              `${after.confidence}): ${why}`,
          ]
        : after.confidence > before.confidence
          ? [
              'raised_confidence',
              `the memory of labelled examples agrees with ${top}: confidence ${before.confidence} → ` +
                `${after.confidence}; ${why}`,
            ]
          : after.confidence < before.confidence
            ? [
                'lowered_confidence',
                `the memory of labelled examples weakens ${top}: confidence ${before.confidence} → ` +
                  `${after.confidence}; ${why}`,
              ]
            : ['kept', `the memory of labelled examples leaves ${top} at ${before.confidence}`];
  const alternatives = [...reading.shares]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 5)
    .map(([l, q]) => ({ intent: l, probability: l === reading.top ? confidence : Math.min(q, confidence) }));
  return {
    prediction: {
      ...prediction,
      intent,
      confidence,
      outOfScope: intent === null,
      topIntent: reading.top,
      alternatives,
    },
    record: { code, detail, linear: before, combined: after, nearest, entries },
  };
}

/**
 * What an article says it answers, as memory phrases: its title, its headings and the questions in its body
 * (sentences ending in "?"), each at most 300 characters.
 */
export function articlePhrases(title: string, body: string): string[] {
  const out = [title.trim()];
  for (const line of body.split('\n')) {
    const heading = /^#{1,6}\s+(.+)$/.exec(line.trim());
    if (heading) out.push(heading[1]!.replace(/[*_`]/g, '').trim());
  }
  for (const q of body.replace(/\s+/g, ' ').match(/[^.!?\n]{8,}\?/g) ?? []) out.push(q.replace(/[*_`#>]/g, '').trim());
  return [...new Set(out.filter((p) => p.length >= 4).map((p) => p.slice(0, 300)))];
}

/** The statements of an article's body (sentences that are not headings or questions), markup stripped. */
export function articleStatements(body: string): string[] {
  const text = body
    .split('\n')
    .filter((l) => !/^#{1,6}\s/.test(l.trim()))
    .join(' ')
    .replace(/[*_`#>]/g, '')
    .replace(/\s+/g, ' ');
  const out = (text.match(/[^.!?]{20,}[.!]/g) ?? []).map((s) => s.trim());
  return [...new Set(out.map((p) => p.slice(0, 300)))];
}
