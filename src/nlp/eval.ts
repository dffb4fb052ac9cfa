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

export const EvalResultSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  ece: z.number(),
  coverage95: CoverageSchema,
  coverage98: CoverageSchema,
  oosRecall: z.number().nullable(),
  inScopeAccuracy: z.number().nullable(),
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
    rows = parse(raw, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, unknown>[];
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
  const o = EvalOptionsSchema.parse(options);
  const isOos = (l: string) => o.oosLabel !== null && l === o.oosLabel;
  if (!train.some((e) => !isOos(e.label))) throw new Error('no in-scope training rows');

  // 1. thresholds from a held-out slice of the train file
  const [t95, t98, heldOutRows] = pickThresholds(train, isOos, o, modelOptions);

  // 2. final model on the whole train file
  const t0 = performance.now();
  const model = IntentClassifier.train(train, modelOptions);
  const trainSeconds = (performance.now() - t0) / 1000;

  // 3. score the test file (steady-state latency: collect training garbage first, then warm up)
  collectGarbage();
  for (const e of test.slice(0, 200)) model.predict(e.text);
  const lat: number[] = [];
  const truthIn: string[] = [];
  const predIn: string[] = [];
  const confIn: number[] = [];
  const okIn: boolean[] = [];
  const all: { conf: number; ok: boolean; oos: boolean }[] = [];
  const runs = new Float64Array(o.latencyRuns);
  for (const e of test) {
    let p: IntentPrediction | undefined;
    for (let r = 0; r < o.latencyRuns; r++) {
      const s = performance.now();
      p = model.predict(e.text);
      runs[r] = performance.now() - s;
    }
    runs.sort();
    lat.push(runs[Math.floor(o.latencyRuns / 2)]!);
    if (!p) continue;
    const top = p.topIntent ?? '';
    const oos = isOos(e.label);
    const ok = !oos && top === e.label;
    all.push({ conf: isOos(top) ? 0 : p.confidence, ok, oos });
    if (!oos) {
      truthIn.push(e.label);
      predIn.push(top);
      confIn.push(p.confidence);
      okIn.push(ok);
    }
  }
  const cover = (t: number) => {
    const acc = all.filter((r) => r.conf >= t);
    return {
      coverage: all.length ? acc.length / all.length : 0,
      precision: acc.length ? acc.filter((r) => r.ok).length / acc.length : 1,
      threshold: t,
    };
  };
  const oosRows = all.filter((r) => r.oos);
  const inRows = all.filter((r) => !r.oos);
  lat.sort((a, b) => a - b);
  return {
    accuracy: okIn.length ? okIn.filter(Boolean).length / okIn.length : 0,
    macroF1: macroF1(truthIn, predIn),
    ece: expectedCalibrationError(confIn, okIn),
    coverage95: cover(t95),
    coverage98: cover(t98),
    oosRecall: o.oosLabel === null ? null : oosRows.length ? oosRows.filter((r) => r.conf < t95).length / oosRows.length : null,
    inScopeAccuracy: o.oosLabel === null ? null : inRows.length ? inRows.filter((r) => r.ok && r.conf >= t95).length / inRows.length : null,
    trainSeconds,
    latencyMs: { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) },
    trainRows: train.length,
    testRows: test.length,
    labels: model.labels.length,
    heldOutRows,
  };
}

/** Trains on part of the train file and picks the 95%/98% precision thresholds on the rest. */
function pickThresholds(
  train: LabelledExample[],
  isOos: (label: string) => boolean,
  o: EvalOptions,
  modelOptions: Partial<IntentClassifierOptions>,
): [number, number, number] {
  const [fitIdx, holdIdx] = stratifiedSplit(train.map((e) => e.label), o.holdout, o.seed);
  const fitSet = fitIdx.map((i) => train[i]!);
  const hold = holdIdx.map((i) => train[i]!);
  const probe = IntentClassifier.train(fitSet, modelOptions);
  const conf: number[] = [];
  const ok: boolean[] = [];
  for (const e of hold) {
    const p = probe.predict(e.text);
    conf.push(p.topIntent !== null && isOos(p.topIntent) ? 0 : p.confidence);
    ok.push(!isOos(e.label) && p.topIntent === e.label);
  }
  const minAccepted = Math.min(50, Math.ceil(hold.length / 10));
  return [
    thresholdForPrecision(conf, ok, 0.95, minAccepted, o.thresholdZ),
    thresholdForPrecision(conf, ok, 0.98, minAccepted, o.thresholdZ),
    hold.length,
  ];
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
