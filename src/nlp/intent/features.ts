/**
 * Hashed lexical features (word 1..n-grams, char n-grams inside word boundaries) with sublinear
 * TF-IDF weighting, plus mean/max pooled pretrained word vectors. Feature hashes are mapped to
 * dense weight rows only for features seen at training (or update) time.
 */
import { tokenize } from './text.js';
import type { WordVectors } from './vectors.js';

const SEED_W = 0x811c9dc5;
const SEED_B = 0x1b873593;
const SEED_C = 0x85ebca6b;

/** 32-bit FNV-1a over `s[from, to)`, starting from state `h`. */
export function hashStr(s: string, h: number, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface FeatureConfig {
  wordMaxN: number;
  charMin: number;
  charMax: number;
}

/** Feature groups; word and char blocks are L2-normalised separately. */
export const GROUP_WORD = 0;
export const GROUP_CHAR = 1;

/**
 * Calls `cb(group, hash, termStart, termEnd)` for every feature occurrence of the token list.
 * `termStart..termEnd` (inclusive token indices) say which words the feature came from.
 */
export function forEachFeature(
  tokens: readonly string[],
  cfg: FeatureConfig,
  emit: (group: number, hash: number, termStart: number, termEnd: number) => void,
): void {
  const cb = (g: number, h: number, a: number, b: number) => emit(g, ((h & ~1) | g) >>> 0, a, b);
  const n = tokens.length;
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    cb(GROUP_WORD, hashStr(t, SEED_W), i, i);
    let h = SEED_B;
    for (let m = 2; m <= cfg.wordMaxN && i + m <= n; m++) {
      if (m === 2) h = hashStr(t, h);
      h = hashStr(tokens[i + m - 1]!, Math.imul(h ^ 32, 0x01000193) >>> 0);
      cb(GROUP_WORD, (h ^ m) >>> 0, i, i + m - 1);
    }
    const padded = ' ' + t + ' ';
    const len = padded.length;
    for (let g = cfg.charMin; g <= cfg.charMax; g++) {
      if (g > len) break;
      const seed = (SEED_C ^ (g * 0x9e3779b1)) >>> 0;
      for (let s = 0; s + g <= len; s++) cb(GROUP_CHAR, hashStr(padded, seed, s, s + g), i, i);
    }
  }
}

/** Raw feature counts for a text; the lowest hash bit carries the feature group. */
export interface RawDoc {
  tokens: string[];
  counts: Map<number, number>;
}

/** Group encoded in a feature hash by {@link rawDoc}. */
export const groupOf = (hash: number): number => hash & 1;

export function rawDoc(text: string, cfg: FeatureConfig): RawDoc {
  const tokens = tokenize(text);
  const counts = new Map<number, number>();
  forEachFeature(tokens, cfg, (g, h) => {
    const key = ((h & ~1) | g) >>> 0;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return { tokens, counts };
}

/** A sparse vector over weight rows (row 0 = bias, then dense rows, then hashed rows). */
export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
  /** Index in idx/val where the hashed (lexical) entries begin. */
  lexStart: number;
}

/** Mean and max pooled word vectors (each L2-normalised); null without vectors or known words. */
export function pooledVectors(tokens: readonly string[], wv: WordVectors): Float32Array | null {
  const d = wv.dims;
  const out = new Float32Array(2 * d);
  let found = 0;
  for (const t of tokens) {
    const off = wv.lookup(t);
    if (off < 0) continue;
    for (let k = 0; k < d; k++) {
      const v = wv.data[off + k]!;
      out[k]! += v;
      if (found === 0 || v > out[d + k]!) out[d + k] = v;
    }
    found++;
  }
  if (found === 0) return null;
  let n1 = 0;
  let n2 = 0;
  for (let k = 0; k < d; k++) {
    n1 += out[k]! * out[k]!;
    n2 += out[d + k]! * out[d + k]!;
  }
  n1 = Math.sqrt(n1) || 1;
  n2 = Math.sqrt(n2) || 1;
  for (let k = 0; k < d; k++) {
    out[k]! /= n1;
    out[d + k]! /= n2;
  }
  return out;
}
