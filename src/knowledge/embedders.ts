/**
 * Text embedders behind one port: the built-in one (no downloads: the project's word vectors plus
 * hashed character n-grams) and any OpenAI-compatible embeddings endpoint (OpenAI, Ollama, vLLM,
 * llama.cpp server) through the official `openai` SDK. `createEmbedder(config)` picks one.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import type { Config } from '../config.js';
import { DeskmindError } from '../domain/errors.js';
import { tokenize } from '../nlp/intent/text.js';
import { loadWordVectors, parseWordVectors, type WordVectors } from '../nlp/intent/vectors.js';

/** Turns texts into unit-length vectors; `id` names the model so stored vectors of another model are not mixed in. */
export interface Embedder {
  readonly id: string;
  /** Vector length (an endpoint's is known after its first answer; 0 before). */
  readonly dims: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** Dot product of two vectors of the same length (the cosine when both are unit length). */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

// ── built-in ────────────────────────────────────────────────────────────────

/** FNV-1a 32-bit hash. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface BuiltinEmbedderOptions {
  /** Word vectors, or null for character n-grams only. */
  vectors: WordVectors | null;
  /** Buckets of the hashed character n-gram part (default 256). */
  ngramDims?: number;
  /** Share of the cosine carried by the word-vector part (default 0.7). */
  wordShare?: number;
}

/**
 * The default embedder: an IDF-weighted mean of pretrained word vectors (rare words weigh more; the
 * asset is in frequency order, so a word's rank stands in for its document frequency) concatenated
 * with hashed character 3–5-grams (which catch typos, inflections and unknown product words), L2-normalised.
 *
 * @example
 * const e = new BuiltinEmbedder({ vectors: loadWordVectors() });
 * const [a, b] = await e.embed(['reset my password', 'I forgot my login']);
 */
export class BuiltinEmbedder implements Embedder {
  readonly id: string;
  readonly dims: number;
  private readonly vectors: WordVectors | null;
  private readonly ngramDims: number;
  private readonly wordWeight: number;
  private readonly ngramWeight: number;

  constructor(options: BuiltinEmbedderOptions) {
    this.vectors = options.vectors;
    this.ngramDims = options.ngramDims ?? 256;
    const share = this.vectors ? (options.wordShare ?? 0.7) : 0;
    if (share < 0 || share > 1) throw new Error('wordShare must be between 0 and 1');
    this.wordWeight = Math.sqrt(share);
    this.ngramWeight = Math.sqrt(1 - share);
    const wordDims = this.vectors?.dims ?? 0;
    this.dims = wordDims + this.ngramDims;
    this.id = `builtin:${this.vectors ? `wv${wordDims}-` : ''}cng${this.ngramDims}@1`;
  }

  embed(texts: string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.embedOne(t)));
  }

  /** Weight of a word: ~0.06 for "the", ~0.6 at rank 1,000, 1 for words the asset does not know. */
  private weight(row: number): number {
    if (row < 0 || !this.vectors) return 1;
    const rank = row / this.vectors.dims;
    return Math.log(2 + rank) / Math.log(2 + this.vectors.size);
  }

  private embedOne(text: string): Float32Array {
    const wv = this.vectors;
    const wordDims = wv?.dims ?? 0;
    const word = new Float32Array(wordDims);
    const grams = new Float32Array(this.ngramDims);
    for (const token of tokenize(text)) {
      const row = wv ? wv.lookup(token) : -1;
      const w = this.weight(row);
      if (wv && row >= 0) for (let d = 0; d < wordDims; d++) word[d]! += w * wv.data[row + d]!;
      const s = `<${token}>`;
      for (let n = 3; n <= 5; n++) {
        for (let i = 0; i + n <= s.length; i++) {
          const h = fnv1a(s.slice(i, i + n));
          grams[h % this.ngramDims]! += h & 0x80000000 ? -w : w;
        }
      }
    }
    normalizeInPlace(word);
    normalizeInPlace(grams);
    const out = new Float32Array(this.dims);
    for (let d = 0; d < wordDims; d++) out[d] = word[d]! * this.wordWeight;
    for (let d = 0; d < this.ngramDims; d++) out[wordDims + d] = grams[d]! * this.ngramWeight;
    return normalizeInPlace(out);
  }
}

/** The word vectors the configuration names (`builtin`, a file path, or `off`); null when off or unreadable. */
export function wordVectorsFor(config: Pick<Config, 'wordVectors'>): WordVectors | null {
  if (config.wordVectors === 'off') return null;
  if (config.wordVectors === 'builtin') return loadWordVectors();
  try {
    return parseWordVectors(readFileSync(config.wordVectors));
  } catch {
    return loadWordVectors();
  }
}

// ── OpenAI-compatible ───────────────────────────────────────────────────────

export interface OpenAIEmbedderOptions {
  /** Base URL including the API version, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`. */
  baseUrl: string;
  model: string;
  apiKey?: string | undefined;
  /** Texts per request (default 128). */
  batchSize?: number;
  timeoutMs?: number;
}

/**
 * Embeddings from an OpenAI-compatible `POST {baseUrl}/embeddings` endpoint. Asks for float vectors
 * (not base64, which local servers rarely support) and L2-normalises them.
 *
 * @example
 * const e = new OpenAIEmbedder({ baseUrl: 'http://localhost:11434/v1', model: 'nomic-embed-text' });
 */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  private size = 0;
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly batchSize: number;

  constructor(options: OpenAIEmbedderOptions) {
    if (!options.baseUrl) throw new Error('OpenAIEmbedder needs a baseUrl');
    this.model = options.model;
    this.batchSize = options.batchSize ?? 128;
    this.id = `openai:${options.model}`;
    // Every option is explicit so the SDK reads nothing from the environment.
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: options.apiKey ?? 'not-needed',
      organization: null,
      project: null,
      timeout: options.timeoutMs ?? 30_000,
      maxRetries: 2,
    });
  }

  get dims(): number {
    return this.size;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize).map((t) => (t.trim() ? t : ' '));
      let res: OpenAI.CreateEmbeddingResponse;
      try {
        res = await this.client.embeddings.create({ model: this.model, input: batch, encoding_format: 'float' });
      } catch (err) {
        throw new DeskmindError('not_ready', 'The embeddings endpoint did not answer', { cause: err });
      }
      const rows = [...res.data].sort((a, b) => a.index - b.index);
      if (rows.length !== batch.length)
        throw new DeskmindError(
          'not_ready',
          `The embeddings endpoint returned ${rows.length} vectors for ${batch.length} texts`,
        );
      for (const row of rows) {
        const v = normalizeInPlace(Float32Array.from(row.embedding));
        if (this.size === 0) this.size = v.length;
        out.push(v);
      }
    }
    return out;
  }
}

/** The embedder the configuration asks for: the endpoint when `embeddingsBaseUrl` is set, else the built-in one. */
export function createEmbedder(
  config: Pick<Config, 'embeddingsBaseUrl' | 'embeddingsModel' | 'embeddingsApiKey' | 'wordVectors'>,
): Embedder {
  if (config.embeddingsBaseUrl) {
    return new OpenAIEmbedder({
      baseUrl: config.embeddingsBaseUrl,
      model: config.embeddingsModel,
      apiKey: config.embeddingsApiKey,
    });
  }
  return new BuiltinEmbedder({ vectors: wordVectorsFor(config) });
}
