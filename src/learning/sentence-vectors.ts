/**
 * Sentence vectors of training texts for the intent classifier's sentence-vector evidence: read from `text_vectors`
 * where this workspace already stored them (the intent memory stores there too), encoded and stored where not, so a
 * retrain encodes only the labels that arrived since the last one.
 */
import { textHash, vectorFromBytes, vectorToBytes, type SentenceEncoder } from '../nlp/encoder.js';
import type { SentenceVectors } from '../nlp/intent/model.js';
import { loadVectors, saveVectors } from '../store/repos/intent-memory.js';
import type { DbOrTx } from '../store/db.js';

/** Texts encoded (and stored) per call of the encoder. */
const CHUNK = 256;

/** One vector per text, in order. */
export type SentenceVectorsOf = (texts: readonly string[]) => Promise<SentenceVectors>;

/** {@link SentenceVectorsOf} over the workspace's stored vectors and `encoder`. */
export function storedSentenceVectors(db: DbOrTx, workspaceId: string, encoder: SentenceEncoder): SentenceVectorsOf {
  return async (texts) => {
    const hashes = texts.map(textHash);
    const stored = await loadVectors(db, workspaceId, encoder.id, [...new Set(hashes)]);
    const found = new Map<string, Float32Array>();
    for (const [h, v] of stored) found.set(h, vectorFromBytes(v));
    const missing = [...new Map(texts.map((t, i) => [hashes[i]!, t])).entries()].filter(([h]) => !found.has(h));
    for (let i = 0; i < missing.length; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      const vectors = await encoder.embed(chunk.map(([, t]) => t));
      chunk.forEach(([h], j) => found.set(h, vectors[j]!));
      await saveVectors(
        db,
        workspaceId,
        encoder.id,
        chunk.map(([hash], j) => ({ hash, vector: vectorToBytes(vectors[j]!) })),
      );
    }
    return { encoderId: encoder.id, vectors: hashes.map((h) => found.get(h)!) };
  };
}

/**
 * The sentence vectors a workspace's training uses: {@link storedSentenceVectors} over the desk's encoder, or null
 * when sentence vectors are off (DESKMIND_INTENT_SENTENCE=false).
 */
export function workspaceSentenceVectors(
  desk: { database: { db: DbOrTx }; sentenceEncoder: SentenceEncoder | null },
  workspaceId: string,
): SentenceVectorsOf | null {
  return desk.sentenceEncoder ? storedSentenceVectors(desk.database.db, workspaceId, desk.sentenceEncoder) : null;
}
