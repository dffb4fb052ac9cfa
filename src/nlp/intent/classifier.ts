/** The public intent classifier: training, calibrated prediction, explanations, online updates. */
import { fitTemperature, meanNll, softmaxInPlace } from './calibration.js';
import { forEachFeature, GROUP_WORD } from './features.js';
import { type Core, scoreVec, stratifiedSplit, trainCore, type SentenceVectors } from './model.js';
import {
  IntentClassifierOptionsSchema,
  LabelledExampleSchema,
  type IntentClassifierOptions,
  type IntentPrediction,
  type LabelledExample,
} from './schema.js';
import { decodeModel, encodeModel } from './serialize.js';
import { splitClauses, withoutSignOff } from './text.js';
import { loadWordVectors } from './vectors.js';

/** Calibration state fitted on a held-out slice of the training data. */
export interface Calibration {
  temperature: number;
  knnWeight: number;
  /** Weight of the semantic (word-vector) neighbour evidence. */
  semWeight: number;
  /** Weight of the hinge model's scores. */
  hingeWeight: number;
  /** Confidence = sigmoid(a * logit(pMax) + b * lexicalSim + d * semanticSim + c), fitted on held-out rows. */
  a: number;
  b: number;
  c: number;
  d: number;
  /** Below this neighbour similarity (2nd percentile of held-out rows) confidence is scaled down. */
  minSim: number;
  oosThreshold: number;
  /** Held-out accuracy of the model trained without the slice (informational). */
  heldOutAccuracy: number | null;
  /** A second map fitted after training on labels the model never saw (see {@link IntentClassifier.recalibrate});
   * absent when none was fitted. */
  recalibration?: Recalibration | undefined;
  /** The calibration of texts scored with their sentence vector (models trained with an encoder's vectors). */
  sentence?: SentenceCalibration | undefined;
}

/** Calibration of the reading with sentence-vector evidence: its own mixing weights, temperature and map. */
export interface SentenceCalibration extends Omit<Calibration, 'recalibration' | 'sentence'> {
  /** Weight of the sentence-vector regression's logits. */
  expertWeight: number;
  /** Weight of the per-class best sentence-vector cosine. */
  expertKnnWeight: number;
}

/**
 * Confidence' = min(confidence, sigmoid(slope · logit(confidence) + intercept)), fitted on held-out labels
 * (the retrain guard's window): it only ever lowers a confidence, so a model that turns out overconfident on
 * labels it never saw comes down to what they showed, and one that looks underconfident keeps its confidences.
 * {@link IntentClassifier.recalibrate} fits the intercept only (slope 1: a shift of the logit).
 */
export interface Recalibration {
  slope: number;
  intercept: number;
  /** Held-out labels it was fitted on. */
  n: number;
}

/** Fewest held-out labels a {@link Recalibration} is fitted on. */
export const RECALIBRATION_MIN = 50;
/** A {@link Recalibration} is fitted on held-out labels at this confidence or above (where answers are decided). */
export const RECALIBRATION_FROM = 0.5;

const MAX_ALTERNATIVES = 5;
/** Grids of the sentence-vector weights fitted on the held-out slice. */
const SENTENCE_WEIGHTS = [0, 0.5, 1, 2];
const SENTENCE_KNN_WEIGHTS = [0, 8, 16, 32, 64];
const MAX_TERMS = 8;
const MAX_PARTS = 4;
/** Texts longer than this (in tokens) are also read sentence by sentence. */
const LONG_TEXT_TOKENS = 40;
/** Sentences of a long text read on their own (the rest only count in the whole-text reading). */
const MAX_READ_PARTS = 24;

/**
 * Intent classifier: hashed word/char n-gram TF-IDF + pooled word vectors → multinomial logistic
 * regression (Adagrad), plus nearest-neighbour evidence; temperature-calibrated confidence.
 */
export class IntentClassifier {
  /** @internal */
  constructor(
    readonly core: Core,
    readonly options: IntentClassifierOptions,
    readonly calibration: Calibration,
  ) {}

  /**
   * Trains on labelled examples; a stratified slice is held out to fit the calibration first. With `sentence` (one
   * encoder vector per example, same order) the model also learns sentence-vector evidence, used by
   * {@link predict} whenever a text's vector is given.
   */
  static train(
    examples: LabelledExample[],
    options: Partial<IntentClassifierOptions> = {},
    sentence: SentenceVectors | null = null,
  ): IntentClassifier {
    const o = IntentClassifierOptionsSchema.parse(options);
    const data = examples.map((e) => LabelledExampleSchema.parse(e));
    if (data.length === 0) throw new Error('IntentClassifier.train needs at least one example');
    const vectors = o.vectorScale > 0 ? loadWordVectors() : null;
    const cal: Calibration = {
      temperature: 1,
      knnWeight: o.knnWeight ?? 2,
      semWeight: o.semWeight ?? 0,
      hingeWeight: o.hingeWeight ?? 0,
      a: 1,
      b: 0,
      c: 0,
      d: 0,
      minSim: 0,
      oosThreshold: o.oosThreshold ?? 0.5,
      heldOutAccuracy: null,
    };
    const rows: HeldOutRow[] = [];
    // only customer-like examples are held out: the others are always trained on (see LabelledExample.calibrate)
    const calibratable = data.flatMap((e, i) => (e.calibrate === false ? [] : [i]));
    if (o.holdout > 0 && calibratable.length >= 20) {
      // small sets: k-fold out-of-fold scores; large sets: one stratified held-out slice
      const folds = calibratable.length < 2000 ? Math.max(2, Math.min(5, Math.round(1 / o.holdout))) : 1;
      let rest = calibratable;
      for (let f = 0; f < folds; f++) {
        const share = folds === 1 ? o.holdout : 1 / (folds - f);
        const [keep, hold] =
          f === folds - 1 && folds > 1
            ? [[], rest.map((_, j) => j)]
            : stratifiedSplit(
                rest.map((i) => data[i]!.label),
                share,
                o.seed + f,
              );
        const holdIdx = hold.map((j) => rest[j]!);
        const holdSet = new Set(holdIdx);
        rest = keep.map((j) => rest[j]!);
        const trainIdx = data.map((_, i) => i).filter((i) => !holdSet.has(i));
        if (holdIdx.length === 0 || trainIdx.length === 0) continue;
        const sub = (idx: number[]) =>
          sentence ? { encoderId: sentence.encoderId, vectors: idx.map((i) => sentence.vectors[i]!) } : null;
        const part = trainCore(
          trainIdx.map((i) => data[i]!),
          o,
          vectors,
          sub(trainIdx),
        );
        rows.push(
          ...heldOutRows(
            part,
            holdIdx.map((i) => data[i]!),
            sub(holdIdx)?.vectors ?? null,
          ),
        );
      }
    }
    if (rows.length >= 10) {
      Object.assign(cal, fitCalibration(rows, o, false));
      if (sentence) cal.sentence = fitCalibration(rows, o, true) as SentenceCalibration;
    }
    const core = trainCore(data, o, vectors, sentence);
    return new IntentClassifier(core, o, cal);
  }

  /** Known intent labels, in index order. */
  get labels(): string[] {
    return [...this.core.labels];
  }

  /** Number of stored labelled examples. */
  get size(): number {
    return this.core.texts.length;
  }

  /** The encoder whose sentence vectors {@link predict} can use, or null (the model was trained without one). */
  get sentenceEncoderId(): string | null {
    return this.core.sentence && this.calibration.sentence ? this.core.sentence.encoderId : null;
  }

  /** Calibrated probabilities over all labels for a text (no explanation, no multi-intent). */
  probabilities(text: string, vector: Float32Array | null = null): Float64Array {
    return this.read(text, vector, 1).p;
  }

  /**
   * Classifies a text: calibrated confidence, alternatives, multi-intent flag and explanation. `vector` is the text's
   * sentence vector from the encoder named by {@link sentenceEncoderId}; without it the text is read on its words
   * alone.
   */
  predict(text: string, vector: Float32Array | null = null): IntentPrediction {
    const core = this.core;
    const K = core.K;
    let read = this.read(text, vector);
    // a long text is also read sentence by sentence (up to its sign-off), and the most confident reading wins:
    // background paragraphs and greetings dilute the features of the one sentence that asks, but do not change it
    if (K > 0 && read.s.tokens.length > LONG_TEXT_TOKENS) {
      const parts = splitClauses(withoutSignOff(text));
      if (parts.length > 1) {
        for (const part of parts.slice(0, MAX_READ_PARTS)) {
          const r = this.read(part);
          if (r.raw > read.raw) read = r;
        }
      }
    }
    const { s, p, best, raw, cal } = read;
    const { vec, tokens } = s;
    const hasEvidence = vec.idx.length > 1;
    // the out-of-scope threshold was fitted on the first map's confidences
    const outOfScope = K === 0 || raw < cal.oosThreshold;
    const confidence = recalibrated(this.calibration.recalibration, raw);
    const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => p[b]! - p[a]!);
    const alternatives = order
      .slice(0, MAX_ALTERNATIVES)
      .map((k) => ({ intent: core.labels[k]!, probability: hasEvidence ? p[k]! : 0 }));
    const topIntent = K > 0 ? core.labels[best]! : null;
    return {
      intent: outOfScope ? null : topIntent,
      confidence,
      outOfScope,
      topIntent,
      alternatives,
      multiIntent: K > 1 ? this.multiIntent(text) : null,
      explanation: {
        topTerms: K > 0 ? this.topTerms(tokens, vec.idx, vec.val, best) : [],
        neighbours: s.nearest.map(([e, sim]) => ({
          text: core.texts[e]!,
          label: core.labels[core.exLabel[e]!]!,
          similarity: round(sim),
        })),
      },
    };
  }

  /**
   * Scores one text: evidence, calibrated probabilities over labels, the best label and its (first-map) confidence;
   * with a sentence vector (and a model trained with them), through the sentence-vector calibration.
   */
  private read(
    text: string,
    vector: Float32Array | null = null,
    neighbours = this.options.neighbours,
  ): { s: ReturnType<typeof scoreVec>; p: Float64Array; best: number; raw: number; cal: Calibration } {
    const core = this.core;
    const K = core.K;
    const sc =
      vector && core.sentence && this.calibration.sentence && vector.length === core.sentence.dims
        ? this.calibration.sentence
        : null;
    const cal = sc ?? this.calibration;
    const s = scoreVec(core, core.analyze(text), cal, neighbours);
    const p = Float64Array.from(s.logits);
    if (sc) {
      const ex = new Float64Array(K);
      const ek = new Float64Array(K);
      core.sentence!.logitsInto(vector!, ex);
      core.sentence!.neighboursInto(vector!, ek, K);
      for (let k = 0; k < K; k++) p[k]! += sc.expertWeight * ex[k]! + sc.expertKnnWeight * ek[k]!;
    }
    const best = softmaxInPlace(p, K, cal.temperature);
    const raw = K > 0 && s.vec.idx.length > 1 ? calibrated(cal, p[best]!, s.knn[best]!, s.sem[best]!) : 0;
    return { s, p, best, raw, cal };
  }

  /**
   * Online update with one labelled example (new labels allowed); no full retrain. The example joins the
   * neighbour evidence, and the regression takes SGD steps on its lexical and word-vector features until
   * it prefers the label. The shared bias row and the hinge model are left alone: pushing them per example
   * (as earlier versions did) inflated every confidence — on Banking77, 400 updates to a 10-shot model
   * turned 2% wrong answers at confidence 0.9 into 8% and cost 12 points of accuracy — and the tuned
   * thresholds rest on confidences meaning what they say. The background retrain refits both.
   */
  update(example: LabelledExample, vector: Float32Array | null = null): void {
    const ex = LabelledExampleSchema.parse(example);
    const core = this.core;
    core.version++;
    const k = core.addLabel(ex.label);
    if (vector && core.sentence && vector.length === core.sentence.dims) core.sentence.add(vector, k);
    const { vec, dense } = core.vectorize(ex.text, true);
    core.addExample(ex.text, k, vec, dense);
    const K = core.K;
    const kc = core.kCap;
    const W = core.W;
    const z = new Float64Array(K);
    const eta = this.options.updateRate;
    for (let step = 0; step < 50; step++) {
      core.logits(vec, z);
      if (softmaxInPlace(z, K) === k) break;
      // from 1: row 0 is the bias, shared by every text
      for (let j = 1; j < vec.idx.length; j++) {
        const base = vec.idx[j]! * kc;
        const x = vec.val[j]!;
        for (let c = 0; c < K; c++) {
          const g = z[c]! - (c === k ? 1 : 0);
          if (g > 1e-4 || g < -1e-4) W[base + c]! -= eta * x * g;
        }
      }
    }
  }

  /**
   * Fits and applies a {@link Recalibration} on `held`: labelled texts this model was not trained on (the retrain
   * guard's window of recent human labels). The training-time calibration is fitted on a slice of the training
   * data scored by a model trained without it; this second map checks it on fresh labels so that a confidence means
   * the same precision from one model version to the next (the autonomy thresholds assume it does). Returns the
   * map, or null (and nothing changes) with fewer than {@link RECALIBRATION_MIN} labels. Call before any
   * {@link update} with those labels.
   */
  recalibrate(held: LabelledExample[]): Recalibration | null {
    this.calibration.recalibration = undefined;
    const X: [number][] = [];
    const y: boolean[] = [];
    for (const e of held) {
      const p = this.predict(e.text);
      // only where answers are decided: the tuner's thresholds never go below its floor (0.5 by default)
      if (p.confidence < RECALIBRATION_FROM || p.topIntent === null) continue;
      X.push([mapLogit(p.confidence)]);
      y.push(p.topIntent === e.label);
    }
    if (X.length < RECALIBRATION_MIN) return null;
    const slope = 1;
    const intercept = fitShift(
      X.map((x) => x[0]!),
      y,
    );
    if (!Number.isFinite(intercept)) return null;
    const map: Recalibration = { slope, intercept, n: X.length };
    this.calibration.recalibration = map;
    return map;
  }

  /** Compact binary serialisation (versioned). */
  toBuffer(): Uint8Array {
    return encodeModel(this);
  }

  /** Restores a classifier written by {@link toBuffer}. */
  static fromBuffer(buf: Uint8Array): IntentClassifier {
    const { core, options, calibration } = decodeModel(buf);
    return new IntentClassifier(core, options, calibration);
  }

  private multiIntent(text: string): IntentPrediction['multiIntent'] {
    const parts = splitClauses(text);
    if (parts.length < 2) return null;
    const scored = parts.slice(0, MAX_PARTS).map((part) => {
      // parts skip the semantic evidence (keeps long texts within the latency budget)
      const p = scoreVec(this.core, this.core.analyze(part), this.calibration, 1, 0).logits;
      softmaxInPlace(p, this.core.K, this.calibration.temperature);
      let best = 0;
      for (let k = 1; k < this.core.K; k++) if (p[k]! > p[best]!) best = k;
      return { text: part, intent: this.core.labels[best]!, confidence: p[best]! };
    });
    const confident = scored.filter((s) => s.confidence >= this.options.multiIntentThreshold);
    const intents = [...new Set(confident.map((s) => s.intent))];
    if (intents.length < 2) return null;
    return { intents, parts: scored.map((s) => ({ ...s, confidence: round(s.confidence) })) };
  }

  /** Per-word contributions to the predicted class logit (centred over classes). */
  private topTerms(
    tokens: string[],
    idx: Int32Array,
    val: Float32Array,
    cls: number,
  ): { term: string; weight: number }[] {
    const core = this.core;
    const kc = core.kCap;
    const W = core.W;
    const contrib = new Map<number, number>();
    const rowMean = core.rowMeans();
    for (let j = 0; j < idx.length; j++) {
      const r = idx[j]!;
      contrib.set(r, val[j]! * (W[r * kc + cls]! - rowMean[r]!));
    }
    const terms = new Map<string, number>();
    const seen = new Set<number>();
    forEachFeature(tokens, core.cfg, (group, hash, a, b) => {
      const r = core.rowOf.get(hash);
      if (r === undefined || seen.has(r)) return;
      seen.add(r);
      const c = contrib.get(r);
      if (c === undefined) return;
      const term = group === GROUP_WORD && b > a ? tokens.slice(a, b + 1).join(' ') : tokens[a]!;
      terms.set(term, (terms.get(term) ?? 0) + c);
    });
    // pooled word-vector evidence, attributed as one pseudo-term
    let dense = 0;
    for (let j = 1; j < idx.length && idx[j]! < core.lexBase; j++) dense += contrib.get(idx[j]!) ?? 0;
    if (dense !== 0) terms.set('[meaning]', dense);
    return [...terms.entries()]
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
      .slice(0, MAX_TERMS)
      .map(([term, weight]) => ({ term, weight: round(weight) }));
  }
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

interface HeldOutRow {
  lr: Float64Array;
  hinge: Float64Array;
  knn: Float64Array;
  sem: Float64Array;
  /** sentence-vector regression logits and best cosines (null without sentence vectors) */
  ex: Float64Array | null;
  ek: Float64Array | null;
  /** label index in the full label list of the part model, -1 when unknown to it */
  truth: number;
}

/** Scores held-out examples with a model trained without them (`vectors`: their sentence vectors, same order). */
function heldOutRows(core: Core, hold: LabelledExample[], vectors: readonly Float32Array[] | null): HeldOutRow[] {
  return hold.map((e, i) => {
    const s = scoreVec(core, core.analyze(e.text), { knnWeight: 0, semWeight: 0, hingeWeight: 0 }, 1);
    let ex: Float64Array | null = null;
    let ek: Float64Array | null = null;
    const v = vectors?.[i];
    if (v && core.sentence) {
      ex = new Float64Array(core.K);
      ek = new Float64Array(core.K);
      core.sentence.logitsInto(v, ex);
      core.sentence.neighboursInto(v, ek, core.K);
    }
    return { lr: s.lr, hinge: s.hinge, knn: s.knn, sem: s.sem, ex, ek, truth: core.labelIndex.get(e.label) ?? -1 };
  });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(Math.max(1e-12, p) / Math.max(1e-12, 1 - p));

/** The logit a {@link Recalibration} reads: bounded, so a few confidences of 1 - 1e-12 do not dominate its fit. */
const MAP_LOGIT = 8;
const mapLogit = (p: number) => Math.max(-MAP_LOGIT, Math.min(MAP_LOGIT, logit(p)));

/**
 * A confidence through a {@link Recalibration} (never raised; unchanged without one). Above the bounded logit a
 * confidence is scaled by the map's factor at the bound, so the map stays monotone.
 */
export function recalibrated(map: Recalibration | undefined, confidence: number): number {
  if (!map || confidence <= 0) return confidence;
  const u = mapLogit(confidence);
  const factor = sigmoid(map.slope * u + map.intercept) / sigmoid(u);
  return factor >= 1 ? confidence : confidence * factor;
}

/** Final confidence from the top probability and its neighbour evidence. */
export function calibrated(cal: Calibration, pMax: number, sim: number, sem: number): number {
  return calibratedRaw(cal, logit(pMax), sim, sem);
}

function calibratedRaw(
  cal: Pick<Calibration, 'a' | 'b' | 'c' | 'd' | 'minSim'>,
  logitP: number,
  sim: number,
  sem: number,
): number {
  const p = sigmoid(cal.a * logitP + cal.b * sim + cal.d * sem + cal.c);
  return cal.minSim > 0 && sim < cal.minSim ? p * (sim / cal.minSim) : p;
}

/**
 * Fits on held-out rows: the kNN weight and temperature (NLL), then a 3-parameter logistic map
 * from (logit of top probability, neighbour similarity) to correctness, and the OOS threshold.
 */
function fitCalibration(
  rows: HeldOutRow[],
  o: IntentClassifierOptions,
  withSentence: boolean,
): Calibration | SentenceCalibration {
  // rows from different folds may know different label sets; align by padding to the max length
  const K = Math.max(...rows.map((r) => r.lr.length));
  const truth = Int32Array.from(rows.map((r) => r.truth));
  const betas = o.knnWeight !== null ? [o.knnWeight] : [0, 4, 8];
  const hasSem = rows.some((r) => r.sem.some((v) => v !== 0));
  const gammas = o.semWeight !== null ? [o.semWeight] : hasSem ? [0, 32, 64] : [0];
  const hasHinge = rows.some((r) => r.hinge.some((v) => v !== 0));
  const etas = o.hingeWeight !== null ? [o.hingeWeight] : hasHinge ? [0, 2, 4, 8] : [0];
  let bestNll = Infinity;
  let best = { beta: betas[0]!, gamma: gammas[0]!, eta: etas[0]!, xi: 0, kappa: 0, T: 1, logits: [] as Float64Array[] };
  const tryWeights = (beta: number, gamma: number, eta: number, xi: number, kappa: number) => {
    const logits = rows.map((r) => {
      const z = new Float64Array(K).fill(-1e9);
      for (let k = 0; k < r.lr.length; k++) {
        z[k] =
          r.lr[k]! +
          eta * r.hinge[k]! +
          beta * r.knn[k]! +
          gamma * r.sem[k]! +
          (r.ex ? xi * r.ex[k]! + kappa * r.ek![k]! : 0);
      }
      return z;
    });
    const T = fitTemperature(logits, truth, K);
    const nll = meanNll(logits, truth, K, T);
    if (nll < bestNll) {
      bestNll = nll;
      best = { beta, gamma, eta, xi, kappa, T, logits };
    }
  };
  for (const beta of betas) for (const gamma of gammas) for (const eta of etas) tryWeights(beta, gamma, eta, 0, 0);
  // the sentence-vector weights, with the lexical ones fixed at their best (a full grid costs 20× the time for nothing
  // on Banking77)
  if (withSentence && rows.some((r) => r.ex)) {
    const { beta, gamma, eta } = best;
    for (const xi of SENTENCE_WEIGHTS)
      for (const kappa of SENTENCE_KNN_WEIGHTS) tryWeights(beta, gamma, eta, xi, kappa);
  }
  const u1: number[] = [];
  const u2: number[] = [];
  const u3: number[] = [];
  const correct: boolean[] = [];
  for (let i = 0; i < best.logits.length; i++) {
    const z = best.logits[i]!;
    const a = softmaxInPlace(z, K, best.T);
    u1.push(logit(z[a]!));
    u2.push(rows[i]!.knn[a] ?? 0);
    u3.push(rows[i]!.sem[a] ?? 0);
    correct.push(a === truth[i]);
  }
  // confidence map on (logit pMax, lexical similarity, semantic similarity, 1); more neighbour
  // evidence must never lower confidence, so a negative similarity weight is pinned to 0
  const X = u1.map((x, i) => [x, u2[i]!, u3[i]!, 1]);
  const fixed = [false, false, !u3.some((v) => v !== 0), false];
  let w = fitLogistic(X, correct, [1, 0, 0, 0], fixed);
  for (let pass = 0; pass < 2 && (w[1]! < 0 || w[2]! < 0); pass++) {
    if (w[1]! < 0) fixed[1] = true;
    if (w[2]! < 0) fixed[2] = true;
    w = fitLogistic(X, correct, [1, 0, 0, 0], fixed);
  }
  let [a, b, d, c] = w as [number, number, number, number];
  if (!(a > 0) || !Number.isFinite(a + b + c + d)) [a, b, d, c] = [1, 0, 0, 0];
  // evidence gate: texts less similar to any labelled example than (almost) all held-out rows
  const sims = u2.slice().sort((x, y) => x - y);
  const minSim = sims[Math.floor(sims.length * 0.02)] ?? 0;
  const cal0 = { a, b, c, d, minSim };
  const conf = u1.map((x, i) => calibratedRaw(cal0, x, u2[i]!, u3[i]!));
  const acc = correct.filter(Boolean).length / Math.max(1, correct.length);
  // pseudo out-of-scope rows: each held-out row with its true intent removed (an unknown intent)
  const pseudo: number[] = [];
  for (let i = 0; i < best.logits.length; i++) {
    const p = best.logits[i]!;
    const t = truth[i]!;
    if (t < 0) continue;
    const rest = 1 - p[t]!;
    let other = t === 0 ? 1 : 0;
    for (let k = 0; k < K; k++) if (k !== t && p[k]! > p[other]!) other = k;
    if (rest <= 0 || other >= K) continue;
    pseudo.push(calibratedRaw(cal0, logit(p[other]! / rest), rows[i]!.knn[other] ?? 0, rows[i]!.sem[other] ?? 0));
  }
  const oos =
    o.oosThreshold ??
    oosThresholdFor(
      conf.filter((_, i) => correct[i]),
      pseudo,
    );
  const cal: Calibration = {
    temperature: best.T,
    knnWeight: best.beta,
    semWeight: best.gamma,
    hingeWeight: best.eta,
    a,
    b,
    c,
    d,
    minSim,
    oosThreshold: oos,
    heldOutAccuracy: acc,
  };
  return withSentence ? { ...cal, expertWeight: best.xi, expertKnnWeight: best.kappa } : cal;
}

/** Threshold best separating correct in-scope confidences (accept) from pseudo-OOS ones (reject). */
function oosThresholdFor(inScope: number[], pseudo: number[]): number {
  if (inScope.length === 0 || pseudo.length === 0) return 0.5;
  const cands = [...new Set([...inScope, ...pseudo].map((v) => Math.round(v * 1000) / 1000))].sort((a, b) => a - b);
  let best = 0.5;
  let bestScore = -1;
  for (const t of cands) {
    if (t > 0.9) break;
    const acc = inScope.filter((v) => v >= t).length / inScope.length;
    const rej = pseudo.filter((v) => v < t).length / pseudo.length;
    if (acc + rej > bestScore) {
      bestScore = acc + rej;
      best = t;
    }
  }
  return best;
}

/**
 * The logit shift t with y ~ sigmoid(u + t) (a slope of 1: a window of a couple of hundred labels pins down one
 * number, not two), by Newton steps halved until the penalised log-loss drops, with a Gaussian prior on t (ridge 5:
 * a standard deviation of about 0.45 logit): no shift when evidence is thin.
 */
function fitShift(u: number[], y: boolean[]): number {
  const ridge = 5;
  const loss = (t: number) => {
    let l = (ridge * t * t) / 2;
    for (let i = 0; i < u.length; i++) {
      const z = u[i]! + t;
      // log(1 + e^-z) for a success, log(1 + e^z) for a failure, computed stably
      const m = y[i] ? -z : z;
      l += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    }
    return l;
  };
  let t = 0;
  let cur = loss(t);
  for (let it = 0; it < 100; it++) {
    let g = ridge * t;
    let h = ridge;
    for (let i = 0; i < u.length; i++) {
      const p = sigmoid(u[i]! + t);
      g += p - (y[i] ? 1 : 0);
      h += p * (1 - p);
    }
    let d = g / h;
    let next = loss(t - d);
    for (let k = 0; k < 30 && !(next <= cur); k++) {
      d /= 2;
      next = loss(t - d);
    }
    if (!(next <= cur)) break;
    t -= d;
    const done = cur - next < 1e-10;
    cur = next;
    if (done) break;
  }
  return t;
}

/**
 * Logistic regression y ~ sigmoid(w · x) by Newton's method, with a ridge pulling `w` towards
 * `prior` (worth ~5 observations); weights flagged in `fixed` stay at their prior value.
 */
function fitLogistic(X: number[][], y: boolean[], prior: number[], fixed: boolean[]): number[] {
  const n = prior.length;
  let w = prior.slice();
  const ridge = 5;
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(n).fill(0);
    const H: number[][] = Array.from({ length: n }, (_, u) =>
      Array.from({ length: n }, (_, v): number => (u === v ? ridge : 0)),
    );
    for (let i = 0; i < X.length; i++) {
      const f = X[i]!;
      let t = 0;
      for (let u = 0; u < n; u++) t += w[u]! * f[u]!;
      const p = sigmoid(t);
      const r = p - (y[i] ? 1 : 0);
      const h = Math.max(1e-9, p * (1 - p));
      for (let u = 0; u < n; u++) {
        g[u]! += r * f[u]!;
        for (let v = 0; v < n; v++) H[u]![v]! += h * f[u]! * f[v]!;
      }
    }
    for (let u = 0; u < n; u++) g[u]! += ridge * (w[u]! - prior[u]!);
    for (let u = 0; u < n; u++) {
      if (!fixed[u]) continue;
      g[u] = 0;
      for (let v = 0; v < n; v++) H[u]![v] = H[v]![u] = u === v ? 1 : 0;
    }
    const step = solve(H, g);
    if (!step) break;
    w = w.map((v, u) => v - step[u]!);
    if (step.reduce((a, b) => a + Math.abs(b), 0) < 1e-8) break;
  }
  return w;
}

/** Solves A x = b (Gaussian elimination with partial pivoting); null when singular. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    if (Math.abs(M[p]![c]!) < 1e-12) return null;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / M[i]![i]!);
}
