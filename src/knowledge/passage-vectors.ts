/**
 * Semantic similarity of an ask to knowledge-base passages, by a sentence encoder (src/nlp/encoder.ts): the
 * `semantic` evidence of the answer judgement. A passage is read twice — its article's title (often the question
 * it answers: "How do I reset my password?") and its heading with its text — and scores the closer of the two.
 * Passage vectors are computed once per text and encoder and kept in memory (a bounded map, least recently used
 * out), so a workspace's passages are encoded on first use and then only the ask is: one call per ticket.
 */
import { cosine, type SentenceEncoder } from '../nlp/encoder.js';

/** What a passage is read as. */
export interface PassageText {
  title: string;
  heading?: string | null | undefined;
  text: string;
}

/** The texts a passage is encoded as: its title, and its heading with its text. */
export const passageTexts = (p: PassageText): [title: string, body: string] => [
  p.title,
  p.heading ? `${p.heading}\n${p.text}` : p.text,
];

/**
 * Passage vectors of one encoder, remembered by text.
 * @example
 * const vectors = new PassageVectors(universalSentenceEncoder());
 * const [s] = await vectors.similarity('I lost my password', [{ title: 'Reset your password', text: '…' }]);
 */
export class PassageVectors {
  private readonly memo = new Map<string, Float32Array>();

  constructor(
    readonly encoder: SentenceEncoder,
    private readonly capacity = 20_000,
  ) {}

  /** Vectors of texts, encoding only those not remembered (in one call). */
  private async vectors(texts: string[]): Promise<Float32Array[]> {
    const found = new Map<string, Float32Array>();
    for (const t of texts) {
      const v = this.memo.get(t);
      if (!v) continue;
      found.set(t, v);
      this.memo.delete(t); // most recently used last
      this.memo.set(t, v);
    }
    const missing = [...new Set(texts.filter((t) => !found.has(t)))];
    if (missing.length) {
      const vecs = await this.encoder.embed(missing);
      missing.forEach((t, i) => {
        found.set(t, vecs[i]!);
        this.memo.set(t, vecs[i]!);
      });
      while (this.memo.size > this.capacity) this.memo.delete(this.memo.keys().next().value!);
    }
    return texts.map((t) => found.get(t)!);
  }

  /** How many passage texts are remembered. */
  get size(): number {
    return this.memo.size;
  }

  /**
   * The similarity of the ask to each passage in [0, 1]: the larger cosine of the ask's vector with the title's and
   * with the body's (negative cosines as 0). The ask is encoded once and not remembered.
   */
  async similarity(ask: string, passages: readonly PassageText[]): Promise<number[]> {
    if (!passages.length) return [];
    const texts = passages.flatMap(passageTexts);
    const [[q], vecs] = await Promise.all([this.encoder.embed([ask.trim() || ' ']), this.vectors(texts)]);
    return passages.map((_, i) =>
      Math.max(0, Math.min(1, Math.max(cosine(q!, vecs[2 * i]!), cosine(q!, vecs[2 * i + 1]!)))),
    );
  }
}
