/**
 * The classifier core: sparse TF-IDF (word + char n-grams) and pooled word vectors feeding a
 * multinomial logistic regression (Adagrad) and a multiclass-hinge linear model, plus lexical and
 * semantic nearest-neighbour evidence from the stored labelled examples.
 */
import { softmaxInPlace } from './calibration.js';
import { GROUP_WORD, groupOf, pooledVectors, rawDoc, type FeatureConfig, type SparseVec } from './features.js';
import type { IntentClassifierOptions, LabelledExample } from './schema.js';
import { quantize, rng } from './numeric.js';
import { SentenceExpert } from './sentence.js';
import type { WordVectors } from './vectors.js';

/** Stratified split of example indices into [train, holdout]. */
export function stratifiedSplit(labels: readonly string[], share: number, seed: number): [number[], number[]] {
  const by = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const arr = by.get(l);
    if (arr) arr.push(i);
    else by.set(l, [i]);
  });
  const r = rng(seed);
  const train: number[] = [];
  const hold: number[] = [];
  for (const idx of by.values()) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const h = idx.length >= 3 ? Math.max(1, Math.round(idx.length * share)) : 0;
    hold.push(...idx.slice(0, h));
    train.push(...idx.slice(h));
  }
  return [train.sort((a, b) => a - b), hold.sort((a, b) => a - b)];
}

interface Scored {
  /** Combined (uncalibrated) logits. */
  logits: Float64Array;
  /** LR logits only. */
  lr: Float64Array;
  /** hinge-model scores (zeros when the ensemble is off) */
  hinge: Float64Array;
  /** Per-class nearest-neighbour evidence (max cosine similarity). */
  knn: Float64Array;
  /** Per-class semantic neighbour evidence (max cosine of mean word vectors minus 1). */
  sem: Float64Array;
  vec: SparseVec;
  tokens: string[];
  /** Nearest examples [exampleIndex, similarity], best first. */
  nearest: [number, number][];
}

/** The trainable core (everything but calibration); serialisable. */
export class Core {
  K = 0;
  kCap = 0;
  labels: string[] = [];
  labelIndex = new Map<string, number>();
  /** hash → weight row */
  rowOf = new Map<number, number>();
  /** weight row → hash (for lexical rows) */
  rowHash: number[] = [];
  rowGroup: number[] = [];
  idf = new Float32Array(0);
  nRows = 0;
  rowCap = 0;
  W = new Float32Array(0);
  /** weights of the second (multiclass hinge) linear model of the ensemble; empty when off */
  W2 = new Float32Array(0);
  hasW2 = false;
  /** number of documents the idf was computed on */
  nDocs = 0;
  denseDims: number;
  /** stored examples for neighbours */
  texts: string[] = [];
  exLabel: number[] = [];
  /** word-level TF-IDF part of each example (for lexical neighbours) */
  exLex: SparseVec[] = [];
  /** int8-quantised mean word vector of each example (for semantic neighbours) */
  exMean: (Int8Array | null)[] = [];
  exMeanScale: number[] = [];
  /** dimensionality of the mean word vectors (0 = none) */
  meanDims: number;
  /** sentence-vector evidence, when the model was trained with an encoder's vectors */
  sentence: SentenceExpert | null = null;
  // inverted index over lexical rows (CSR) for the first `indexed` examples
  private postOff = new Int32Array(1);
  private postEx = new Int32Array(0);
  private postVal = new Float32Array(0);
  /** number of examples covered by the inverted index */
  indexed = 0;
  private simBuf = new Float32Array(0);
  private touched = new Int32Array(0);

  constructor(
    readonly cfg: FeatureConfig,
    readonly vectors: WordVectors | null,
    readonly vectorScale: number,
    pooling: 'mean' | 'meanmax',
    denseDims?: number,
    meanDims?: number,
  ) {
    const d = vectors && vectorScale > 0 ? vectors.dims : 0;
    this.denseDims = denseDims ?? (pooling === 'mean' ? d : 2 * d);
    this.meanDims = meanDims ?? d;
  }

  get lexBase(): number {
    return 1 + this.denseDims;
  }

  addLabel(label: string): number {
    const have = this.labelIndex.get(label);
    if (have !== undefined) return have;
    const k = this.K;
    if (k >= this.kCap) this.resize(this.rowCap, Math.max(8, this.kCap * 2));
    // a new class starts as the mean of the existing ones: never the winner by default
    if (k > 0) {
      const kc = this.kCap;
      for (const W of this.hasW2 ? [this.W, this.W2] : [this.W]) {
        for (let r = 0; r < this.nRows; r++) {
          let s = 0;
          for (let j = 0; j < k; j++) s += W[r * kc + j]!;
          W[r * kc + k] = s / k;
        }
      }
    }
    this.labels.push(label);
    this.labelIndex.set(label, k);
    this.K = k + 1;
    if (this.sentence && this.sentence.W.length === k) this.sentence.addClass();
    return k;
  }

  resize(rowCap: number, kCap: number): void {
    if (rowCap === this.rowCap && kCap === this.kCap) return;
    const W = new Float32Array(rowCap * kCap);
    const idf = new Float32Array(rowCap);
    idf.set(this.idf.subarray(0, Math.min(this.idf.length, rowCap)));
    for (let r = 0; r < this.nRows; r++) W.set(this.W.subarray(r * this.kCap, r * this.kCap + this.K), r * kCap);
    this.W = W;
    if (this.hasW2) {
      const W2 = new Float32Array(rowCap * kCap);
      for (let r = 0; r < this.nRows; r++) W2.set(this.W2.subarray(r * this.kCap, r * this.kCap + this.K), r * kCap);
      this.W2 = W2;
    }
    this.idf = idf;
    this.rowCap = rowCap;
    this.kCap = kCap;
  }

  /** Adds a weight row for a lexical hash. */
  addRow(hash: number, group: number, idf: number): number {
    if (this.nRows >= this.rowCap) this.resize(Math.max(1024, this.rowCap * 2), this.kCap);
    const r = this.nRows++;
    this.rowOf.set(hash, r);
    this.rowHash[r] = hash;
    this.rowGroup[r] = group;
    this.idf[r] = idf;
    return r;
  }

  initRows(): void {
    for (let r = 0; r < this.lexBase; r++) {
      if (this.nRows >= this.rowCap) this.resize(Math.max(1024, this.rowCap * 2), this.kCap);
      this.rowHash[r] = 0;
      this.rowGroup[r] = -1;
      this.idf[r] = 1;
      this.nRows++;
    }
  }

  defaultIdf(): number {
    return Math.log((1 + this.nDocs) / 2) + 1;
  }

  /** Vectorises a text; with `grow`, unseen lexical features get new rows. */
  vectorize(text: string, grow = false): { vec: SparseVec; tokens: string[]; dense: Float32Array | null } {
    const doc = rawDoc(text, this.cfg);
    const dense = this.vectors && this.meanDims === this.vectors.dims ? pooledVectors(doc.tokens, this.vectors) : null;
    const nDense = dense ? this.denseDims : 0;
    const cap = 1 + nDense + doc.counts.size;
    const idx = new Int32Array(cap);
    const val = new Float32Array(cap);
    idx[0] = 0;
    val[0] = 1;
    let n = 1;
    for (let d = 0; d < nDense; d++, n++) {
      idx[n] = 1 + d;
      val[n] = dense![d]! * this.vectorScale;
    }
    const lexStart = n;
    let nw = 0;
    let nc = 0;
    for (const [h, c] of doc.counts) {
      let r = this.rowOf.get(h);
      if (r === undefined) {
        if (!grow) continue;
        r = this.addRow(h, groupOf(h), this.defaultIdf());
      }
      const v = (1 + Math.log(c)) * this.idf[r]!;
      idx[n] = r;
      val[n++] = v;
      if (this.rowGroup[r] === GROUP_WORD) nw += v * v;
      else nc += v * v;
    }
    nw = Math.sqrt(nw) || 1;
    nc = Math.sqrt(nc) || 1;
    for (let j = lexStart; j < n; j++) val[j]! /= this.rowGroup[idx[j]!] === GROUP_WORD ? nw : nc;
    return { vec: { idx: idx.subarray(0, n), val: val.subarray(0, n), lexStart }, tokens: doc.tokens, dense };
  }

  /** Mean weight of each row over the classes (cached; explanations centre on it). */
  rowMeans(): Float32Array {
    if (this.rowMeanCache && this.rowMeanKey === this.version) return this.rowMeanCache;
    const K = this.K;
    const kc = this.kCap;
    const m = new Float32Array(this.nRows);
    for (let r = 0; r < this.nRows; r++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += this.W[r * kc + k]!;
      m[r] = K > 0 ? s / K : 0;
    }
    this.rowMeanCache = m;
    this.rowMeanKey = this.version;
    return m;
  }

  /** Bumped whenever weights change outside training (invalidates caches). */
  version = 0;
  private rowMeanCache: Float32Array | null = null;
  private rowMeanKey = -1;

  /** Vectorises a text (no growth). */
  analyze(text: string): Analyzed {
    return this.vectorize(text);
  }

  /** Enables the second (hinge) linear model. */
  enableW2(): void {
    this.hasW2 = true;
    this.W2 = new Float32Array(this.W.length);
  }

  /** LR logits (or, with `second`, hinge-model scores) into `out`. */
  logits(vec: SparseVec, out: Float64Array, second = false): void {
    const K = this.K;
    const kc = this.kCap;
    const W = second ? this.W2 : this.W;
    out.fill(0, 0, K);
    for (let j = 0; j < vec.idx.length; j++) {
      const base = vec.idx[j]! * kc;
      const x = vec.val[j]!;
      for (let k = 0; k < K; k++) out[k]! += x * W[base + k]!;
    }
  }

  /** Builds the inverted index (word-level rows, frequent rows skipped) over all stored examples. */
  buildIndex(): void {
    const counts = new Int32Array(this.nRows + 1);
    for (const v of this.exLex) for (let j = 0; j < v.idx.length; j++) counts[v.idx[j]! + 1]!++;
    const maxPost = Math.max(20, Math.floor(this.exLex.length * 0.05));
    for (let r = 0; r < this.nRows; r++) if (counts[r + 1]! > maxPost) counts[r + 1] = 0;
    const keep = Uint8Array.from(counts.subarray(1), (c) => (c > 0 ? 1 : 0));
    for (let r = 0; r < this.nRows; r++) counts[r + 1]! += counts[r]!;
    const total = counts[this.nRows]!;
    const ex = new Int32Array(total);
    const val = new Float32Array(total);
    const fill = counts.slice(0, this.nRows);
    this.exLex.forEach((v, e) => {
      for (let j = 0; j < v.idx.length; j++) {
        const r = v.idx[j]!;
        if (!keep[r]) continue;
        const p = fill[r]!++;
        ex[p] = e;
        val[p] = v.val[j]!;
      }
    });
    this.postOff = counts;
    this.postEx = ex;
    this.postVal = val;
    this.indexed = this.exLex.length;
    this.simBuf = new Float32Array(this.exLex.length + 64);
    this.touched = new Int32Array(this.exLex.length + 64);
  }

  /**
   * Semantic evidence: for the `m` classes with the best `lr` logits, the best cosine (minus 1)
   * between the mean word vector of the query and of the class's examples; other classes get the
   * lowest candidate value.
   */
  semantic(q: Float32Array, lr: Float64Array, out: Float64Array, m: number): void {
    const K = this.K;
    if (this.semCount !== this.exMean.length || this.semOff.length !== K + 1) this.buildSemantic();
    const d = this.meanDims;
    const scales = this.semScale;
    const mat = this.semMat;
    const off = this.semOff;
    // top-m classes by LR logit (partial selection)
    const cand = this.candBuf.length >= m ? this.candBuf : (this.candBuf = new Int32Array(m));
    let nc = 0;
    for (let k = 0; k < K; k++) {
      if (nc < m) {
        let i = nc++;
        while (i > 0 && lr[cand[i - 1]!]! < lr[k]!) {
          cand[i] = cand[i - 1]!;
          i--;
        }
        cand[i] = k;
      } else if (lr[k]! > lr[cand[m - 1]!]!) {
        let i = m - 1;
        while (i > 0 && lr[cand[i - 1]!]! < lr[k]!) {
          cand[i] = cand[i - 1]!;
          i--;
        }
        cand[i] = k;
      }
    }
    let low = 0;
    const bests = this.bestBuf.length >= m ? this.bestBuf : (this.bestBuf = new Float64Array(m));
    for (let ci = 0; ci < nc; ci++) {
      const c = cand[ci]!;
      let best = -1;
      for (let e = off[c]!; e < off[c + 1]!; e++) {
        const base = e * d;
        let d0 = 0;
        let d1 = 0;
        let k = 0;
        for (; k + 1 < d; k += 2) {
          d0 += q[k]! * mat[base + k]!;
          d1 += q[k + 1]! * mat[base + k + 1]!;
        }
        for (; k < d; k++) d0 += q[k]! * mat[base + k]!;
        const dot = (d0 + d1) * scales[e]!;
        if (dot > best) best = dot;
      }
      bests[ci] = best - 1;
      if (best - 1 < low) low = best - 1;
    }
    for (let k = 0; k < K; k++) out[k] = low;
    for (let ci = 0; ci < nc; ci++) out[cand[ci]!] = bests[ci]!;
  }

  /** Class-grouped contiguous int8 matrix of example mean word vectors. */
  private buildSemantic(): void {
    const K = this.K;
    const d = this.meanDims;
    const off = new Int32Array(K + 1);
    for (let e = 0; e < this.exMean.length; e++) if (this.exMean[e]) off[this.exLabel[e]! + 1]!++;
    for (let k = 0; k < K; k++) off[k + 1]! += off[k]!;
    const fill = off.slice(0, K);
    const mat = new Float32Array(off[K]! * d);
    const sc = new Float32Array(off[K]!);
    for (let e = 0; e < this.exMean.length; e++) {
      const v = this.exMean[e];
      if (!v) continue;
      const slot = fill[this.exLabel[e]!]!++;
      const sce = this.exMeanScale[e]!;
      for (let k = 0; k < d; k++) mat[slot * d + k] = v[k]! * sce;
      sc[slot] = 1;
    }
    this.semMat = mat;
    this.semScale = sc;
    this.semOff = off;
    this.semCount = this.exMean.length;
  }

  private semMat = new Float32Array(0);
  private semScale = new Float32Array(0);
  private semOff = new Int32Array(0);
  private semCount = -1;
  private candBuf = new Int32Array(0);
  private bestBuf = new Float64Array(0);

  /** Dot product of the word blocks of two vectors. */
  wordDot(a: SparseVec, b: SparseVec): number {
    const m = new Map<number, number>();
    for (let j = a.lexStart; j < a.idx.length; j++)
      if (this.rowGroup[a.idx[j]!] === GROUP_WORD) m.set(a.idx[j]!, a.val[j]!);
    let s = 0;
    for (let j = 0; j < b.idx.length; j++) {
      const v = m.get(b.idx[j]!);
      if (v !== undefined) s += v * b.val[j]!;
    }
    return s;
  }

  /** Stores a labelled example for neighbour evidence. */
  addExample(text: string, label: number, vec: SparseVec, dense: Float32Array | null): void {
    this.texts.push(text);
    this.exLabel.push(label);
    this.exLex.push(this.wordPart(vec));
    const q = dense && this.meanDims > 0 ? quantize(dense.subarray(0, this.meanDims)) : null;
    this.exMean.push(q ? q.q : null);
    this.exMeanScale.push(q ? q.scale : 0);
    if (this.exLex.length - this.indexed > 256) this.buildIndex();
  }

  /** The word-level entries of a vector. */
  wordPart(vec: SparseVec): SparseVec {
    const idx: number[] = [];
    const val: number[] = [];
    for (let j = vec.lexStart; j < vec.idx.length; j++) {
      if (this.rowGroup[vec.idx[j]!] !== GROUP_WORD) continue;
      idx.push(vec.idx[j]!);
      val.push(vec.val[j]!);
    }
    return { idx: Int32Array.from(idx), val: Float32Array.from(val), lexStart: 0 };
  }

  /**
   * Nearest-neighbour evidence: per class, the best cosine similarity (lexical TF-IDF); returns the
   * `topN` nearest examples. `exclude` skips one example (leave-one-out).
   */
  neighbours(vec: SparseVec, out: Float64Array, topN: number, exclude = -1): [number, number][] {
    out.fill(0, 0, this.K);
    const n = this.exLex.length;
    const sims = this.simBuf.length >= n ? this.simBuf : (this.simBuf = new Float32Array(n * 2));
    if (this.touched.length < n) this.touched = new Int32Array(n * 2);
    const touched = this.touched;
    let nt = 0;
    const off = this.postOff;
    for (let j = vec.lexStart; j < vec.idx.length; j++) {
      const r = vec.idx[j]!;
      if (r + 1 >= off.length) continue;
      const q = vec.val[j]!;
      for (let p = off[r]!; p < off[r + 1]!; p++) {
        const e = this.postEx[p]!;
        if (sims[e] === 0) touched[nt++] = e;
        sims[e]! += q * this.postVal[p]!;
      }
    }
    // examples added since the last index build: direct sparse dot products
    for (let e = this.indexed; e < n; e++) {
      const s = this.wordDot(vec, this.exLex[e]!);
      if (s > 0) {
        sims[e] = s;
        touched[nt++] = e;
      }
    }
    const best: [number, number][] = [];
    let worst = 0;
    for (let t = 0; t < nt; t++) {
      const e = touched[t]!;
      const s = sims[e]!;
      sims[e] = 0;
      if (e === exclude) continue;
      const c = this.exLabel[e]!;
      if (s > out[c]!) out[c] = s;
      if (best.length < topN || s > worst) {
        best.push([e, s]);
        best.sort((a, b) => b[1] - a[1]);
        if (best.length > topN) best.pop();
        worst = best[best.length - 1]![1];
      }
    }
    return best;
  }
}

/** Sentence vectors of the training examples (same order) and the encoder they came from. */
export interface SentenceVectors {
  encoderId: string;
  vectors: readonly Float32Array[];
}

/** Trains the core (features, LR weights, neighbour index; sentence-vector evidence when given) on examples. */
export function trainCore(
  examples: readonly LabelledExample[],
  o: IntentClassifierOptions,
  vectors: WordVectors | null,
  sentence: SentenceVectors | null = null,
): Core {
  const core = new Core(
    { wordMaxN: o.wordMaxN, charMin: o.charMin, charMax: o.charMax },
    vectors,
    o.vectorScale,
    o.pooling,
  );
  for (const ex of examples) core.addLabel(ex.label);
  // document frequencies
  const df = new Map<number, number>();
  for (const ex of examples) {
    const d = rawDoc(ex.text, core.cfg);
    for (const h of d.counts.keys()) df.set(h, (df.get(h) ?? 0) + 1);
  }
  core.nDocs = examples.length;
  core.resize(1024, core.kCap);
  core.initRows();
  const N = examples.length;
  const minDf = Math.min(o.minDf, Math.max(1, Math.floor(N / 50)));
  for (const [h, n] of df) if (n >= minDf) core.addRow(h, groupOf(h), Math.log((1 + N) / (1 + n)) + 1);
  core.resize(core.nRows, core.kCap);
  const vecs: SparseVec[] = [];
  for (const ex of examples) {
    const { vec, dense } = core.vectorize(ex.text);
    vecs.push(vec);
    core.addExample(ex.text, core.labelIndex.get(ex.label)!, vec, dense);
  }
  core.buildIndex();
  trainWeights(core, vecs, o, false);
  if (o.hingeEnsemble) {
    core.enableW2();
    trainWeights(core, vecs, o, true);
  }
  if (sentence && sentence.vectors.length === examples.length && examples.length > 0) {
    const expert = new SentenceExpert(sentence.encoderId, sentence.vectors[0]!.length);
    sentence.vectors.forEach((v, i) => expert.add(v, core.exLabel[i]!));
    expert.train(core.K, o.seed);
    core.sentence = expert;
  }
  return core;
}

/** Adagrad on the multinomial logistic loss; skips near-zero class gradients. */
function trainWeights(core: Core, vecs: SparseVec[], o: IntentClassifierOptions, second: boolean): void {
  const K = core.K;
  const kc = core.kCap;
  const W = second ? core.W2 : core.W;
  const G = new Float32Array(W.length);
  const z = new Float64Array(K);
  const active = new Int32Array(K);
  const grad = new Float64Array(K);
  const n = vecs.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const r = rng(o.seed);
  const l2 = o.l2;
  const loss = second ? 'hinge' : o.loss;
  const hinge = loss !== 'logistic';
  const hingeSquared = loss === 'squared-hinge';
  const epochs = second ? o.hingeEpochs : o.epochs;
  const margin = o.margin;
  const avgFrom = o.averageFrom < 1 ? Math.floor(epochs * o.averageFrom) : epochs;
  const avg = avgFrom < epochs ? new Float32Array(W.length) : null;
  for (let ep = 0; ep < epochs; ep++) {
    const rate = second ? o.hingeLearningRate : o.learningRate;
    const lr = o.lrDecay ? (rate * 2 * (epochs - ep)) / (epochs + 1) : rate;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let t = 0; t < n; t++) {
      const e = order[t]!;
      const v = vecs[e]!;
      const y = core.exLabel[e]!;
      core.logits(v, z, second);
      let na = 0;
      if (hinge) {
        // Crammer-Singer multiclass hinge: push the true class over the most violating one
        let r = y === 0 ? 1 : 0;
        for (let k = 0; k < K; k++) if (k !== y && z[k]! > z[r]!) r = k;
        const viol = margin - (z[y]! - z[r]!);
        if (viol > 0 && r < K) {
          const g = hingeSquared ? viol : 1;
          active[0] = y;
          grad[0] = -g;
          active[1] = r;
          grad[1] = g;
          na = 2;
        }
      } else {
        softmaxInPlace(z, K);
        for (let k = 0; k < K; k++) {
          const g = z[k]! - (k === y ? 1 : 0);
          if (g > 1e-3 || g < -1e-3) {
            active[na] = k;
            grad[na++] = g;
          }
        }
      }
      if (na === 0) continue;
      for (let j = 0; j < v.idx.length; j++) {
        const base = v.idx[j]! * kc;
        const x = v.val[j]!;
        for (let a = 0; a < na; a++) {
          const p = base + active[a]!;
          const g = x * grad[a]! + l2 * W[p]!;
          const acc = G[p]! + g * g;
          G[p] = acc;
          W[p]! -= (lr * g) / (Math.sqrt(acc) + 1e-8);
        }
      }
    }
    if (avg && ep >= avgFrom) for (let p = 0; p < W.length; p++) avg[p]! += W[p]!;
  }
  if (avg) {
    const m = epochs - avgFrom;
    for (let p = 0; p < W.length; p++) W[p] = avg[p]! / m;
  }
}

/** A vectorised text. */
export interface Analyzed {
  vec: SparseVec;
  tokens: string[];
  dense: Float32Array | null;
}

/** Candidate classes (best LR logits) that get semantic nearest-neighbour evidence. */
const SEMANTIC_CANDIDATES = 5;

/**
 * Scores an analysed text: LR logits, lexical neighbour evidence (per-class max TF-IDF cosine) and
 * semantic neighbour evidence (per-class max cosine of mean word vectors, for the top LR candidates;
 * 0 = identical, negative = less similar).
 */
export function scoreVec(
  core: Core,
  a: Analyzed,
  w: { knnWeight: number; semWeight: number; hingeWeight: number },
  topN: number,
  semCandidates = SEMANTIC_CANDIDATES,
): Scored {
  const K = core.K;
  const lr = new Float64Array(K);
  core.logits(a.vec, lr);
  const hinge = new Float64Array(K);
  if (core.hasW2) core.logits(a.vec, hinge, true);
  const knn = new Float64Array(K);
  const nearest = core.neighbours(a.vec, knn, topN);
  const sem = new Float64Array(K);
  if (a.dense && K > 0 && semCandidates > 0) core.semantic(a.dense, lr, sem, semCandidates);
  const logits = new Float64Array(K);
  for (let k = 0; k < K; k++)
    logits[k] = lr[k]! + w.hingeWeight * hinge[k]! + w.knnWeight * knn[k]! + w.semWeight * sem[k]!;
  return { logits, lr, hinge, knn, sem, vec: a.vec, tokens: a.tokens, nearest };
}
