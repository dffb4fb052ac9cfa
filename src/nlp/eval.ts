/**
 * Offline evaluation of the intent classifier on a train/test pair of CSV or JSONL files.
 * Thresholds are picked on a held-out slice of the TRAIN file only; the test file is read for
 * scoring alone.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { expectedCalibrationError, thresholdForPrecision } from './intent/calibration.js';
import { IntentClassifier } from './intent/classifier.js';
import { stratifiedSplit } from './intent/model.js';
import { rng } from './intent/numeric.js';
import type { IntentClassifierOptions, IntentPrediction, LabelledExample } from './intent/schema.js';

export const EvalOptionsSchema = z.object({
  textColumn: z.string().default('text'),
  labelColumn: z.string().default('label'),
  /**
   * Label marking out-of-scope rows. Out-of-scope training rows (if any) are learned as one extra
   * class; predicting it counts as rejecting the text (confidence 0 for coverage and OOS recall).
   */
  oosLabel: z.string().nullable().default(null),
  /** Share of the train file held out to pick thresholds. */
  holdout: z.number().min(0.05).max(0.5).default(0.15),
  /** Standard errors of safety margin on held-out precision when picking thresholds (Wilson bound). */
  thresholdZ: z.number().min(0).default(0.5),
  /** Timed runs per test text; the per-text median is used (robust to other processes). */
  latencyRuns: z.number().int().min(1).default(3),
  seed: z.number().int().default(13),
});
export type EvalOptions = z.infer<typeof EvalOptionsSchema>;

const CoverageSchema = z.object({
  /** Share of test rows whose confidence clears the threshold. */
  coverage: z.number(),
  /** Precision actually reached on those rows. */
  precision: z.number(),
  /** Threshold picked on the held-out slice of the train file. */
  threshold: z.number(),
});

/** Out-of-scope recall and in-scope accuracy at one operating point (a precision threshold). */
const OosPointSchema = z.object({
  threshold: z.number(),
  /** Out-of-scope test rows rejected: predicted as the out-of-scope label, or confidence below the threshold. */
  recall: z.number().nullable(),
  /** In-scope test rows answered (not rejected) with the right intent. */
  inScopeAccuracy: z.number().nullable(),
});

export const OosReportSchema = z.object({
  label: z.string(),
  /** Out-of-scope rows in the held-out slice the thresholds were picked on. */
  heldOutOosRows: z.number().int(),
  /** True when the held-out slice had enough out-of-scope rows to pick thresholds with them. */
  thresholdsFromOos: z.boolean(),
  /** Why the thresholds could not use out-of-scope rows; null when they did. */
  note: z.string().nullable(),
  at95: OosPointSchema,
  at98: OosPointSchema,
});
export type OosReport = z.infer<typeof OosReportSchema>;

export const EvalResultSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  ece: z.number(),
  coverage95: CoverageSchema,
  coverage98: CoverageSchema,
  /** Same as `oos.at95.recall` (null without an out-of-scope label). */
  oosRecall: z.number().nullable(),
  /** Same as `oos.at95.inScopeAccuracy`. */
  inScopeAccuracy: z.number().nullable(),
  oos: OosReportSchema.nullable(),
  trainSeconds: z.number(),
  latencyMs: z.object({ p50: z.number(), p99: z.number() }),
  trainRows: z.number(),
  testRows: z.number(),
  labels: z.number(),
  heldOutRows: z.number(),
});
export type EvalResult = z.infer<typeof EvalResultSchema>;

/** Reads labelled rows from a CSV (header row) or JSONL file. */
export function readLabelledFile(path: string, textColumn = 'text', labelColumn = 'label'): LabelledExample[] {
  const raw = readFileSync(path, 'utf8');
  let rows: Record<string, unknown>[];
  if (/\.jsonl?$/i.test(path)) {
    rows = raw
      .split(/\r?\n/)
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } else {
    rows = parse(raw, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<
      string,
      unknown
    >[];
  }
  const out: LabelledExample[] = [];
  rows.forEach((r, i) => {
    const text = r[textColumn];
    const label = r[labelColumn];
    if (text === undefined || label === undefined) {
      throw new Error(`${path}: row ${i + 1} lacks column "${text === undefined ? textColumn : labelColumn}"`);
    }
    if (String(label).length === 0) return;
    out.push({ text: String(text), label: String(label) });
  });
  return out;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function macroF1(truth: string[], pred: string[]): number {
  const labels = new Set(truth);
  let sum = 0;
  for (const l of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (pred[i] === l && truth[i] === l) tp++;
      else if (pred[i] === l) fp++;
      else if (truth[i] === l) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return labels.size === 0 ? 0 : sum / labels.size;
}

/** One scored text: its confidence, and whether it was rejected outright (the out-of-scope label was predicted). */
export interface ScoredRow {
  confidence: number;
  /** The model predicted the out-of-scope label: a rejection at any threshold. */
  rejected: boolean;
  /** In scope and the top intent is the true one. */
  correct: boolean;
  /** The true label is the out-of-scope label. */
  outOfScope: boolean;
}

/** Whether a row is answered at threshold `t` (never when it was rejected). */
const answered = (r: ScoredRow, t: number) => !r.rejected && r.confidence >= t;

/** Lowest threshold whose answered rows reach `precision` (see {@link thresholdForPrecision}); rejected rows are never
 * answered. */
export function thresholdFor(rows: readonly ScoredRow[], precision: number, minAccepted: number, z: number): number {
  const open = rows.filter((r) => !r.rejected);
  return thresholdForPrecision(
    open.map((r) => r.confidence),
    open.map((r) => r.correct),
    precision,
    minAccepted,
    z,
  );
}

/** Coverage (answered share of all rows) and precision of the answered rows at threshold `t`. */
export function coverageAt(rows: readonly ScoredRow[], t: number): z.infer<typeof CoverageSchema> {
  const acc = rows.filter((r) => answered(r, t));
  return {
    coverage: rows.length ? acc.length / rows.length : 0,
    precision: acc.length ? acc.filter((r) => r.correct).length / acc.length : 1,
    threshold: t,
  };
}

/** Out-of-scope recall (rejected or under `t`) and in-scope accuracy (answered and right) at threshold `t`. */
export function oosAt(rows: readonly ScoredRow[], t: number): z.infer<typeof OosPointSchema> {
  const oos = rows.filter((r) => r.outOfScope);
  const ins = rows.filter((r) => !r.outOfScope);
  return {
    threshold: t,
    recall: oos.length ? oos.filter((r) => !answered(r, t)).length / oos.length : null,
    inScopeAccuracy: ins.length ? ins.filter((r) => r.correct && answered(r, t)).length / ins.length : null,
  };
}

/** Fewest out-of-scope rows the held-out slice needs for thresholds picked with them. */
export const MIN_HELD_OUT_OOS = 20;

/**
 * Trains on `train`, picks the 95%/98% precision thresholds on a held-out slice of `train`,
 * retrains on all of `train`, and scores `test`.
 */
export function evaluateExamples(
  train: LabelledExample[],
  test: LabelledExample[],
  options: Partial<EvalOptions> = {},
  modelOptions: Partial<IntentClassifierOptions> = {},
): EvalResult {
  return evaluateWithModel(train, test, options, modelOptions).result;
}

/** Sentence-encoder vectors of the train and test rows (same order as the rows). */
export interface EvalSentenceVectors {
  encoderId: string;
  train: readonly Float32Array[];
  test: readonly Float32Array[];
}

/**
 * {@link evaluateExamples}, also handing back the final model (trained on all of `train`) for further test sets;
 * with `sentence`, the model learns and reads sentence-vector evidence too.
 */
export function evaluateWithModel(
  train: LabelledExample[],
  test: LabelledExample[],
  options: Partial<EvalOptions> = {},
  modelOptions: Partial<IntentClassifierOptions> = {},
  sentence: EvalSentenceVectors | null = null,
): { result: EvalResult; model: IntentClassifier } {
  const o = EvalOptionsSchema.parse(options);
  const isOos = (l: string) => o.oosLabel !== null && l === o.oosLabel;
  if (!train.some((e) => !isOos(e.label))) throw new Error('no in-scope training rows');

  // 1. thresholds from a held-out slice of the train file
  const picked = pickThresholds(train, isOos, o, modelOptions, sentence);
  const [t95, t98] = [picked.t95, picked.t98];

  // 2. final model on the whole train file
  const t0 = performance.now();
  const model = IntentClassifier.train(
    train,
    modelOptions,
    sentence && { encoderId: sentence.encoderId, vectors: sentence.train },
  );
  const trainSeconds = (performance.now() - t0) / 1000;

  // 3. score the test file (steady-state latency: collect training garbage first, then warm up)
  collectGarbage();
  const vectorOf = (i: number) => sentence?.test[i] ?? null;
  test.slice(0, 200).forEach((e, i) => model.predict(e.text, vectorOf(i)));
  const lat: number[] = [];
  const truthIn: string[] = [];
  const predIn: string[] = [];
  const confIn: number[] = [];
  const okIn: boolean[] = [];
  const all: ScoredRow[] = [];
  const runs = new Float64Array(o.latencyRuns);
  for (const [i, e] of test.entries()) {
    let p: IntentPrediction | undefined;
    for (let r = 0; r < o.latencyRuns; r++) {
      const s = performance.now();
      p = model.predict(e.text, vectorOf(i));
      runs[r] = performance.now() - s;
    }
    runs.sort();
    lat.push(runs[Math.floor(o.latencyRuns / 2)]!);
    if (!p) continue;
    const row = scoreRow(p, e.label, isOos);
    all.push(row);
    if (!row.outOfScope) {
      truthIn.push(e.label);
      predIn.push(p.topIntent ?? '');
      confIn.push(p.confidence);
      okIn.push(row.correct);
    }
  }
  lat.sort((a, b) => a - b);
  const oos: OosReport | null =
    o.oosLabel === null
      ? null
      : {
          label: o.oosLabel,
          heldOutOosRows: picked.heldOutOos,
          thresholdsFromOos: picked.note === null,
          note: picked.note,
          at95: oosAt(all, t95),
          at98: oosAt(all, t98),
        };
  const result: EvalResult = {
    accuracy: okIn.length ? okIn.filter(Boolean).length / okIn.length : 0,
    macroF1: macroF1(truthIn, predIn),
    ece: expectedCalibrationError(confIn, okIn),
    coverage95: coverageAt(all, t95),
    coverage98: coverageAt(all, t98),
    oosRecall: oos?.at95.recall ?? null,
    inScopeAccuracy: oos?.at95.inScopeAccuracy ?? null,
    oos,
    trainSeconds,
    latencyMs: { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) },
    trainRows: train.length,
    testRows: test.length,
    labels: model.labels.length,
    heldOutRows: picked.heldOut,
  };
  return { result, model };
}

/** Accuracy, macro-F1 and coverage at given thresholds of a trained model on a further labelled set. */
export function scoreModel(model: IntentClassifier, rows: readonly LabelledExample[], thresholds: readonly number[]) {
  const preds = rows.map((e) => model.predict(e.text));
  const scored = preds.map((p, i) => scoreRow(p, rows[i]!.label, () => false));
  const truth = rows.map((e) => e.label);
  const pred = preds.map((p) => p.topIntent ?? '');
  return {
    rows: rows.length,
    accuracy: scored.filter((r) => r.correct).length / Math.max(1, rows.length),
    macroF1: macroF1(truth, pred),
    coverage: thresholds.map((t) => coverageAt(scored, t)),
  };
}

function scoreRow(p: IntentPrediction, label: string, isOos: (l: string) => boolean): ScoredRow {
  const outOfScope = isOos(label);
  const rejected = p.topIntent === null || isOos(p.topIntent);
  return { confidence: p.confidence, rejected, correct: !outOfScope && !rejected && p.topIntent === label, outOfScope };
}

/**
 * The held-out slice: a stratified share of the train file, with out-of-scope rows added from the rest (up to half
 * of them) until it holds {@link MIN_HELD_OUT_OOS}, so that the thresholds see how out-of-scope texts score.
 */
export function holdoutSplit(
  labels: readonly string[],
  isOos: (l: string) => boolean,
  share: number,
  seed: number,
): [number[], number[]] {
  const [fit, hold] = stratifiedSplit(labels, share, seed);
  const held = hold.filter((i) => isOos(labels[i]!)).length;
  const spare = fit.filter((i) => isOos(labels[i]!));
  const total = held + spare.length;
  const extra = Math.max(0, Math.min(MIN_HELD_OUT_OOS - held, Math.floor(total / 2) - held));
  if (extra === 0) return [fit, hold];
  const r = rng(seed + 1);
  for (let i = spare.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [spare[i], spare[j]] = [spare[j]!, spare[i]!];
  }
  const moved = new Set(spare.slice(0, extra));
  return [fit.filter((i) => !moved.has(i)), [...hold, ...moved].sort((a, b) => a - b)];
}

/** Trains on part of the train file and picks the 95%/98% precision thresholds on the rest. */
function pickThresholds(
  train: LabelledExample[],
  isOos: (label: string) => boolean,
  o: EvalOptions,
  modelOptions: Partial<IntentClassifierOptions>,
  sentence: EvalSentenceVectors | null,
): { t95: number; t98: number; heldOut: number; heldOutOos: number; note: string | null } {
  const [fitIdx, holdIdx] = holdoutSplit(
    train.map((e) => e.label),
    isOos,
    o.holdout,
    o.seed,
  );
  const fitSet = fitIdx.map((i) => train[i]!);
  const hold = holdIdx.map((i) => train[i]!);
  const probe = IntentClassifier.train(
    fitSet,
    modelOptions,
    sentence && { encoderId: sentence.encoderId, vectors: fitIdx.map((i) => sentence.train[i]!) },
  );
  const rows = hold.map((e, j) =>
    scoreRow(probe.predict(e.text, sentence?.train[holdIdx[j]!] ?? null), e.label, isOos),
  );
  const minAccepted = Math.min(50, Math.ceil(hold.length / 10));
  const heldOutOos = rows.filter((r) => r.outOfScope).length;
  const note =
    o.oosLabel === null || heldOutOos >= MIN_HELD_OUT_OOS
      ? null
      : `could not pick the thresholds with out-of-scope rows: the train file has ` +
        `${heldOutOos === 0 ? 'none' : `too few (${heldOutOos} could be held out; ${MIN_HELD_OUT_OOS} needed)`}, ` +
        'so they were picked on in-scope rows alone and out-of-scope recall is what falls under them';
  return {
    t95: thresholdFor(rows, 0.95, minAccepted, o.thresholdZ),
    t98: thresholdFor(rows, 0.98, minAccepted, o.thresholdZ),
    heldOut: hold.length,
    heldOutOos,
    note,
  };
}

/** Runs a full garbage collection when the runtime allows it (keeps GC pauses of training out of latency). */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    gc?.();
  } catch {
    /* not available: latency then includes collection pauses */
  }
}

/** Reads both files and runs {@link evaluateExamples}. */
export function evaluateIntentFiles(
  trainPath: string,
  testPath: string,
  options: Partial<EvalOptions> = {},
  modelOptions: Partial<IntentClassifierOptions> = {},
): EvalResult {
  const o = EvalOptionsSchema.parse(options);
  const train = readLabelledFile(trainPath, o.textColumn, o.labelColumn);
  const test = readLabelledFile(testPath, o.textColumn, o.labelColumn);
  return evaluateExamples(train, test, o, modelOptions);
}
