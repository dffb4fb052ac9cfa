/** Lazy loader for the compact pretrained word-vector asset (see scripts/build-word-vectors.mjs). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pretrained word vectors: word → dense Float32 vector (unit length). */
export interface WordVectors {
  readonly dims: number;
  readonly size: number;
  /** Returns the row offset of `word` in `data`, or -1 when unknown. */
  lookup(word: string): number;
  /** Row-major unit-normalised vectors. */
  readonly data: Float32Array;
}

const ASSET_NAME = 'word-vectors-100d.bin';

/** Where vectors come from: `builtin` (the shipped asset), a file path, or `off`. Set from the config at start. */
let source = 'builtin';

/** Chooses the word-vector source (the `wordVectors` setting) and forgets any loaded vectors. */
export function configureWordVectors(value: string): void {
  if (value !== source) cached = undefined;
  source = value;
}

function candidatePaths(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  if (source !== 'builtin' && source !== 'off') return [source];
  return [
    resolve(here, '../../../assets', ASSET_NAME), // src/nlp/intent → repo root
    resolve(here, '../../../../assets', ASSET_NAME), // dist/src/nlp/intent → repo root
    resolve(process.cwd(), 'assets', ASSET_NAME),
  ];
}

/** Parses the binary asset format written by scripts/build-word-vectors.mjs. */
export function parseWordVectors(buf: Uint8Array): WordVectors {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = String.fromCharCode(buf[0]!, buf[1]!, buf[2]!, buf[3]!);
  if (magic !== 'DMWV') throw new Error('not a word-vector asset');
  const count = view.getUint32(8, true);
  const dims = view.getUint32(12, true);
  const wordsLen = view.getUint32(16, true);
  const words = new TextDecoder().decode(buf.subarray(20, 20 + wordsLen)).split('\n');
  const scaleOff = (20 + wordsLen + 3) & ~3;
  const valOff = scaleOff + count * 4;
  const data = new Float32Array(count * dims);
  const index = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const scale = view.getFloat32(scaleOff + i * 4, true);
    let norm = 0;
    const base = i * dims;
    for (let d = 0; d < dims; d++) {
      const v = view.getInt8(valOff + base + d) * scale;
      data[base + d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dims; d++) data[base + d]! /= norm;
    const w = words[i];
    if (w !== undefined && !index.has(w)) index.set(w, base);
  }
  return { dims, size: count, data, lookup: (w) => index.get(w) ?? -1 };
}

let cached: WordVectors | null | undefined;

/**
 * Loads the word-vector asset once (lazily). Returns null when the asset is missing or
 * disabled (`wordVectors: off`); the classifier then works on lexical features only.
 */
export function loadWordVectors(): WordVectors | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (source === 'off') return cached;
  for (const p of candidatePaths()) {
    if (!existsSync(p)) continue;
    try {
      cached = parseWordVectors(readFileSync(p));
      break;
    } catch {
      /* try the next candidate */
    }
  }
  return cached;
}

/** Test hook: forget the cached asset so the next call reloads (or pretends it is missing). */
export function resetWordVectorsCache(value?: WordVectors | null): void {
  cached = value;
}

/** The word-vector source in force (`builtin`, a file path or `off`), e.g. to configure a worker thread alike. */
export function wordVectorSource(): string {
  return source;
}
