/**
 * The pure part of background retraining: when a retrain is due, and the retrain itself judged on a window of
 * recent human labels. No database and no services, so that a worker thread ({@link retrainInWorker}) can
 * import it cheaply.
 */
import { IntentClassifier, type LabelledExample, type Recalibration } from '../nlp/intent/index.js';
import type { SentenceVectors } from '../nlp/intent/model.js';
import type { LearningSettings } from './thresholds.js';
import type { retrainInWorker } from './retrain-thread.js';

/** Human labels held out of a retrain to judge it. */
export const RETRAIN_WINDOW = 200;
/** The span of recent human labels the window is drawn from (stratified by intent, newest first within each). */
export const RETRAIN_SPAN = 2000;
/** At most this share of one intent's labels is held out (at least one label). */
const INTENT_HOLDOUT_SHARE = 0.25;
/** Smallest window worth judging a retrain by; with fewer the retrain is promoted unjudged. */
export const RETRAIN_WINDOW_MIN = 20;
/** The window is at most this share of the labels (the retrain must still learn from most of them). */
export const RETRAIN_WINDOW_SHARE = 0.1;
/** Largest accuracy drop on the window a retrain may show before it is rejected. */
export const RETRAIN_TOLERANCE = 0.02;

/**
 * Whether a retrain is due: at least `retrainMinLabels` human labels arrived since the model was last
 * trained, and they grew the labels it was trained on by `retrainGrowth` (so a large model is not
 * retrained for every handful of labels).
 *
 * @example retrainDue(1200, 1000, settings) // true with the defaults (200 ≥ max(100, 0.2 × 1000))
 */
export function retrainDue(
  labels: number,
  trainedOn: number,
  s: Pick<LearningSettings, 'retrainMinLabels' | 'retrainGrowth'>,
): boolean {
  const fresh = labels - trainedOn;
  return fresh >= s.retrainMinLabels && fresh >= s.retrainGrowth * trainedOn;
}

/** One label of the judging window and whether the live model got it right when the ticket arrived. */
export interface WindowLabel extends LabelledExample {
  /** The live model's top intent was this label when it first saw the ticket (prequential accuracy). */
  liveRight: boolean;
}

export type RetrainOutcome =
  | {
      status: 'promoted';
      model: IntentClassifier;
      examples: number;
      window: number;
      before: number | null;
      after: number | null;
      recalibration: Recalibration | null;
      seconds: number;
    }
  | { status: 'rejected'; examples: number; window: number; before: number; after: number; seconds: number };

/**
 * The labels a retrain is judged on, drawn from `recent` (oldest first, up to {@link RETRAIN_SPAN}) so that they
 * represent the workspace rather than its latest burst: intents take turns, each giving its newest label not yet
 * taken, until `size` labels are taken; no intent gives more than a quarter of the labels it holds in `examples`
 * (at least one), so holding them out never leaves the candidate without most of an intent's labels. Oldest first.
 *
 * @example stratifiedWindow(recent, examples, 200).length // ≤ 200, spread over the intents of `recent`
 */
export function stratifiedWindow(recent: WindowLabel[], examples: LabelledExample[], size: number): WindowLabel[] {
  const held = new Map<string, number>();
  for (const e of examples) held.set(e.label, (held.get(e.label) ?? 0) + 1);
  const byIntent = new Map<string, number[]>();
  const span = recent.slice(-RETRAIN_SPAN);
  for (let i = span.length - 1; i >= 0; i--) {
    const list = byIntent.get(span[i]!.label);
    if (list) list.push(i);
    else byIntent.set(span[i]!.label, [i]);
  }
  const cap = (label: string) => Math.max(1, Math.floor((held.get(label) ?? 0) * INTENT_HOLDOUT_SHARE));
  const taken: number[] = [];
  for (let round = 0; taken.length < size; round++) {
    let any = false;
    for (const [label, idx] of byIntent) {
      if (round >= idx.length || round >= cap(label) || taken.length >= size) continue;
      taken.push(idx[round]!);
      any = true;
    }
    if (!any) break;
  }
  return taken.sort((a, b) => a - b).map((i) => span[i]!);
}

/**
 * Retrains on `examples` (every label the model holds, oldest first; the latest copy of each window label is
 * held out) and judges it on the window ({@link stratifiedWindow} of `recent`, at most {@link RETRAIN_WINDOW}
 * and a tenth of the labels): both models on labels neither trained on — the candidate's accuracy there
 * against the live model's accuracy on the same tickets when they arrived (before it learned them). A promoted
 * candidate's confidences are
 * then recalibrated on the window ({@link IntentClassifier.recalibrate}: labels it never saw, so an overconfident
 * retrain comes down before it answers anyone and the thresholds keep meaning the same precision), and it learns
 * the window's labels online, so it holds every label. Pure and synchronous (CPU-bound: the product runs it in a worker
 * thread, {@link retrainInWorker}).
 */
export function retrainWithGuard(
  examples: LabelledExample[],
  recent: WindowLabel[],
  options: { tolerance?: number; minWindow?: number } = {},
  /** The examples' sentence vectors (same order): the candidate learns from them too. */
  sentence: SentenceVectors | null = null,
): RetrainOutcome {
  const t0 = performance.now();
  const window = stratifiedWindow(
    recent,
    examples,
    Math.min(RETRAIN_WINDOW, Math.floor(examples.length * RETRAIN_WINDOW_SHARE)),
  );
  const judged = window.length >= (options.minWindow ?? RETRAIN_WINDOW_MIN);
  // hold out one copy of each window label, the latest (an earlier duplicate stays: the live model had it too)
  const held = new Map<string, number>();
  if (judged)
    for (const w of window) held.set(`${w.label}\u0000${w.text}`, (held.get(`${w.label}\u0000${w.text}`) ?? 0) + 1);
  const kept: number[] = [];
  for (let i = examples.length - 1; i >= 0; i--) {
    const key = `${examples[i]!.label}\u0000${examples[i]!.text}`;
    const n = held.get(key) ?? 0;
    if (n > 0) held.set(key, n - 1);
    else kept.push(i);
  }
  kept.reverse();
  const idx = kept.length ? kept : examples.map((_, i) => i);
  const candidate = IntentClassifier.train(
    idx.map((i) => examples[i]!),
    {},
    sentence ? { encoderId: sentence.encoderId, vectors: idx.map((i) => sentence.vectors[i]!) } : null,
  );
  let before: number | null = null;
  let after: number | null = null;
  if (judged) {
    before = window.filter((w) => w.liveRight).length / window.length;
    after = window.filter((w) => candidate.predict(w.text).topIntent === w.label).length / window.length;
    if (after < before - (options.tolerance ?? RETRAIN_TOLERANCE)) {
      return {
        status: 'rejected',
        examples: kept.length,
        window: window.length,
        before,
        after,
        seconds: (performance.now() - t0) / 1000,
      };
    }
  }
  const recalibration = judged ? candidate.recalibrate(window) : null;
  if (judged) for (const w of window) candidate.update({ text: w.text, label: w.label });
  return {
    status: 'promoted',
    model: candidate,
    examples: kept.length + (judged ? window.length : 0),
    window: window.length,
    before,
    after,
    recalibration,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The labelled examples a classifier holds (its training set plus every label it learned online), oldest first. */
export function heldExamples(model: IntentClassifier): LabelledExample[] {
  const core = model.core;
  return core.texts.map((text, i) => ({ text, label: core.labels[core.exLabel[i]!]! }));
}
