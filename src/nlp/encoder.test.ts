import { describe, expect, it } from 'vitest';
import {
  cachedEncoder,
  cosine,
  semanticSimilarity,
  textHash,
  universalSentenceEncoder,
  vectorFromBytes,
  vectorToBytes,
  type SentenceEncoder,
} from './encoder.js';

/** A port that maps each text to a fixed 3-d direction and counts what it was asked. */
function fakeEncoder(table: Record<string, number[]>): SentenceEncoder & { asked: string[] } {
  const asked: string[] = [];
  return {
    id: 'fake:3',
    dims: 3,
    asked,
    embed(texts) {
      asked.push(...texts);
      return Promise.resolve(
        texts.map((t) => {
          const v = Float32Array.from(table[t] ?? [0, 0, 1]);
          const n = Math.hypot(...v);
          return v.map((x) => x / n);
        }),
      );
    },
  };
}

describe('sentence encoder port', () => {
  it('scores an ask against passages in [0, 1], and says null without an encoder', async () => {
    const enc = fakeEncoder({ ask: [1, 0, 0], same: [2, 0, 0], near: [1, 1, 0], opposite: [-1, 0, 0] });
    const s = await semanticSimilarity(enc, 'ask', ['same', 'near', 'opposite']);
    expect(s![0]).toBeCloseTo(1, 6);
    expect(s![1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(s![2]).toBe(0);
    expect(await semanticSimilarity(enc, 'ask', [])).toEqual([]);
    expect(await semanticSimilarity(null, 'ask', ['same'])).toBeNull();
  });

  it('encodes each text once while it is remembered, forgetting the least recently used', async () => {
    const inner = fakeEncoder({ a: [1, 0, 0], b: [0, 1, 0] });
    const enc = cachedEncoder(inner, 2);
    await enc.embed(['a', 'b', 'a']);
    await enc.embed(['b', 'a']);
    expect(inner.asked).toEqual(['a', 'b']);
    await enc.embed(['c']); // evicts the least recently used ('b')
    await enc.embed(['a', 'b']);
    expect(inner.asked).toEqual(['a', 'b', 'c', 'b']);
  });

  it(
    'the Universal Sentence Encoder lite loads from node_modules and places paraphrases closer than unrelated ' +
      'texts',
    async () => {
      const listeners = () => [
        process.listeners('unhandledRejection').length,
        process.listeners('uncaughtException').length,
      ];
      const before = listeners();
      const enc = universalSentenceEncoder();
      const loading = enc.embed([
        'I lost my password, how do I pick a new one?',
        'Reset your password from the sign-in page',
        'Our office is closed on public holidays',
      ]);
      // a server's own handler, registered while the model loads, is kept
      const serversOwn = () => undefined;
      process.on('unhandledRejection', serversOwn);
      const [a, b, c] = await loading;
      expect(a!.length).toBe(512);
      expect(cosine(a!, a!)).toBeCloseTo(1, 4);
      expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!) + 0.15);
      expect(await enc.embed([])).toEqual([]);
      // the WebAssembly backend's own listeners (which rethrow, crashing a server that logs rejections) are removed
      expect(process.listeners('unhandledRejection')).toContain(serversOwn);
      process.off('unhandledRejection', serversOwn);
      expect(listeners()).toEqual(before);
    },
  );

  it('stores a vector as bytes and reads it back, and keys texts by a stable hash', () => {
    const v = Float32Array.from([0.25, -0.5, 1e-3]);
    expect(vectorFromBytes(vectorToBytes(v))).toEqual(v);
    expect(textHash('my September bill')).toBe(textHash('my September bill'));
    expect(textHash('my September bill')).not.toBe(textHash('my October bill'));
  });
});
