/**
 * Sentence-vector evidence beside the lexical model: a softmax regression on the vectors of a sentence encoder
 * (see ../encoder.ts) and, per class, the best cosine to its labelled examples. Both are optional inputs of the
 * classifier: a text scored without its vector is scored exactly as before, so the encoder can be computed lazily,
 * only where a decision needs it.
 */
import { softmaxInPlace } from './calibration.js';
import { quantize, rng } from './numeric.js';

/** Epochs of the regression (Adagrad); more bought nothing measurable on Banking77's held-out slice. */
const EPOCHS = 10;
const RATE = 0.5;
const L2 = 1e-5;

/** Sentence vectors of labelled examples and a linear model over them. */
export class SentenceExpert {
  /** Per class: `dims` weights then the bias. */
  W: Float32Array[] = [];
  /** int8 example vectors (rows of `dims`), their scales and class indices. */
  private vecs: Int8Array[] = [];
  private scales: number[] = [];
  private labels: number[] = [];
  private mat: Float32Array | null = null;

  constructor(
    /** The encoder whose vectors this expects (vectors of another encoder are never mixed in). */
    readonly encoderId: string,
    readonly dims: number,
  ) {}

  get size(): number {
    return this.vecs.length;
  }

  /** Adds a class (initialised to the mean of the others: never the winner by default). */
  addClass(): void {
    const w = new Float32Array(this.dims + 1);
    const K = this.W.length;
    for (const v of this.W) for (let d = 0; d <= this.dims; d++) w[d]! += v[d]! / K;
    this.W.push(w);
  }

  /** Stores a labelled example's vector (neighbour evidence). */
  add(vector: Float32Array, label: number): void {
    const { q, scale } = quantize(vector);
    this.vecs.push(q);
    this.scales.push(scale);
    this.labels.push(label);
    this.mat = null;
  }

  /** Trains the regression on the stored examples (labels in `0..K-1`). */
  train(K: number, seed: number): void {
    while (this.W.length < K) this.W.push(new Float32Array(this.dims + 1));
    const D = this.dims;
    const X = this.matrix();
    const G = this.W.map(() => new Float32Array(D + 1));
    const z = new Float64Array(K);
    const n = this.vecs.length;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const r = rng(seed);
    for (let ep = 0; ep < EPOCHS; ep++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      for (const e of order) {
        const x = X.subarray(e * D, (e + 1) * D);
        this.logitsInto(x, z);
        softmaxInPlace(z, K);
        for (let k = 0; k < K; k++) {
          const g0 = z[k]! - (k === this.labels[e] ? 1 : 0);
          if (g0 < 1e-3 && g0 > -1e-3) continue;
          const w = this.W[k]!;
          const acc = G[k]!;
          for (let d = 0; d <= D; d++) {
            const g = g0 * (d === D ? 1 : x[d]!) + L2 * w[d]!;
            acc[d]! += g * g;
            w[d]! -= (RATE * g) / (Math.sqrt(acc[d]!) + 1e-8);
          }
        }
      }
    }
  }

  /** Regression logits of a vector into `out` (length ≥ classes). */
  logitsInto(x: Float32Array, out: Float64Array): void {
    const D = this.dims;
    for (let k = 0; k < this.W.length; k++) {
      const w = this.W[k]!;
      let s = w[D]!;
      for (let d = 0; d < D; d++) s += x[d]! * w[d]!;
      out[k] = s;
    }
  }

  /** Per class, the best cosine to its examples minus 1 (0 = identical; -1 for a class without examples). */
  neighboursInto(x: Float32Array, out: Float64Array, K: number): void {
    const D = this.dims;
    const X = this.matrix();
    out.fill(-1, 0, K);
    for (let e = 0; e < this.labels.length; e++) {
      let s = 0;
      const base = e * D;
      for (let d = 0; d < D; d++) s += x[d]! * X[base + d]!;
      const c = this.labels[e]!;
      if (s - 1 > out[c]!) out[c] = s - 1;
    }
  }

  /** Example vectors as one dequantised row-major matrix (cached). */
  private matrix(): Float32Array {
    if (this.mat) return this.mat;
    const D = this.dims;
    const m = new Float32Array(this.vecs.length * D);
    this.vecs.forEach((q, e) => {
      const s = this.scales[e]!;
      for (let d = 0; d < D; d++) m[e * D + d] = q[d]! * s;
    });
    this.mat = m;
    return m;
  }

  /** Binary form: u32 dims, u32 classes, u32 examples, weights (f32), scales (f32), labels (u32), vectors (int8). */
  toBytes(): Uint8Array {
    const D = this.dims;
    const K = this.W.length;
    const n = this.vecs.length;
    const out = new Uint8Array(12 + K * (D + 1) * 4 + n * 8 + n * D);
    const view = new DataView(out.buffer);
    view.setUint32(0, D, true);
    view.setUint32(4, K, true);
    view.setUint32(8, n, true);
    let p = 12;
    for (const w of this.W) for (let d = 0; d <= D; d++, p += 4) view.setFloat32(p, w[d]!, true);
    for (let e = 0; e < n; e++, p += 4) view.setFloat32(p, this.scales[e]!, true);
    for (let e = 0; e < n; e++, p += 4) view.setUint32(p, this.labels[e]!, true);
    for (const q of this.vecs) {
      out.set(new Uint8Array(q.buffer, q.byteOffset, D), p);
      p += D;
    }
    return out;
  }

  /** Reads {@link toBytes} output. */
  static fromBytes(encoderId: string, buf: Uint8Array): SentenceExpert {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const D = view.getUint32(0, true);
    const K = view.getUint32(4, true);
    const n = view.getUint32(8, true);
    const s = new SentenceExpert(encoderId, D);
    let p = 12;
    for (let k = 0; k < K; k++) {
      const w = new Float32Array(D + 1);
      for (let d = 0; d <= D; d++, p += 4) w[d] = view.getFloat32(p, true);
      s.W.push(w);
    }
    for (let e = 0; e < n; e++, p += 4) s.scales.push(view.getFloat32(p, true));
    for (let e = 0; e < n; e++, p += 4) s.labels.push(view.getUint32(p, true));
    for (let e = 0; e < n; e++, p += D) s.vecs.push(Int8Array.from(buf.subarray(p, p + D), (x) => (x << 24) >> 24));
    return s;
  }
}
