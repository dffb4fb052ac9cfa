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
 * The live model as its last training left it (`base`: a retrain, or the first training) and the labels it learned
 * online since, in order (`online`): with them the guard rebuilds the live model without the window's labels and
 * judges it now, beside the candidate, on labels neither trained on.
 */
export interface LiveHistory {
  base: IntentClassifier;
  online: LabelledExample[];
}

const keyOf = (e: LabelledExample) => `${e.label}\u0000${e.text}`;

/**
 * The live model without the labels of `held` (keys of {@link keyOf}): a copy of its base that learns every online
 * label but those, in the order the live model learned them. So it stands where the live model would stand had the
 * window's tickets never been labelled — including whatever a burst of online labels did to it.
 */
export function liveWithout(live: LiveHistory, held: Set<string>): IntentClassifier {
  const control = IntentClassifier.fromBuffer(live.base.toBuffer());
  for (const e of live.online) if (!held.has(keyOf(e))) control.update(e);
  return control;
}

/**
 * Retrains on `examples` (every label the model holds, oldest first; every copy of a window label is held out) and
 * judges it on the window ({@link stratifiedWindow} of `recent`, at most {@link RETRAIN_WINDOW} and a tenth of the
 * labels): both models on labels neither trained on, now.
 *
 * With the live model's history (`live`, {@link LiveHistory}) the window is drawn from the recent labels its base
 * did not train on, and the live side is the live model rebuilt without them ({@link liveWithout}): its accuracy
 * on the window now against the candidate's. Without it, the live side is what the live model predicted when each
 * ticket arrived (`liveRight`) — which a burst flatters: on a flood of one intent, online updates tilt the live model
 * toward it, so its predictions during the flood are right far more often than the model is on the workspace's
 * traffic (Banking77 in file order: 0.94–0.965 on arrival for a model at 0.87 on the test set).
 *
 * A promoted candidate's confidences are then recalibrated on the window ({@link IntentClassifier.recalibrate}:
 * labels it never saw, so an overconfident retrain comes down before it answers anyone and the thresholds keep
 * meaning the same precision), and it learns the held-out labels online, in order, so it holds every label. Pure
 * and synchronous (CPU-bound: the product runs it in a worker thread, {@link retrainInWorker}).
 */
export function retrainWithGuard(
  examples: LabelledExample[],
  recent: WindowLabel[],
  options: { tolerance?: number; minWindow?: number } = {},
  /** The examples' sentence vectors (same order): the candidate learns from them too. */
  sentence: SentenceVectors | null = null,
  live: LiveHistory | null = null,
): RetrainOutcome {
  const t0 = performance.now();
  const inBase = live ? new Set(heldExamples(live.base).map(keyOf)) : null;
  const window = stratifiedWindow(
    inBase ? recent.filter((w) => !inBase.has(keyOf(w))) : recent,
    examples,
    Math.min(RETRAIN_WINDOW, Math.floor(examples.length * RETRAIN_WINDOW_SHARE)),
  );
  const judged = window.length >= (options.minWindow ?? RETRAIN_WINDOW_MIN);
  const held = new Set(judged ? window.map(keyOf) : []);
  const kept: number[] = [];
  const out: number[] = [];
  examples.forEach((e, i) => (held.has(keyOf(e)) ? out : kept).push(i));
  const idx = kept.length ? kept : examples.map((_, i) => i);
  const candidate = IntentClassifier.train(
    idx.map((i) => examples[i]!),
    {},
    sentence ? { encoderId: sentence.encoderId, vectors: idx.map((i) => sentence.vectors[i]!) } : null,
  );
  let before: number | null = null;
  let after: number | null = null;
  if (judged) {
    const control = live ? liveWithout(live, held) : null;
    before = control
      ? window.filter((w) => control.predict(w.text).topIntent === w.label).length / window.length
      : window.filter((w) => w.liveRight).length / window.length;
    after = window.filter((w) => candidate.predict(w.text).topIntent === w.label).length / window.length;
    if (after < before - (options.tolerance ?? RETRAIN_TOLERANCE)) {
      return {
        status: 'rejected',
        examples: idx.length,
        window: window.length,
        before,
        after,
        seconds: (performance.now() - t0) / 1000,
      };
    }
  }
  const recalibration = judged ? candidate.recalibrate(window) : null;
  if (kept.length) for (const i of out) candidate.update(examples[i]!);
  return {
    status: 'promoted',
    model: candidate,
    examples: idx.length + (kept.length ? out.length : 0),
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
