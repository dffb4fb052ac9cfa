import { describe, expect, it } from 'vitest';
import type { SentenceEncoder } from '../nlp/encoder.js';
import { PassageVectors } from './passage-vectors.js';

/** Maps each text to a fixed direction and records every call. */
function fakeEncoder(table: Record<string, number[]>): SentenceEncoder & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id: 'fake:3',
    dims: 3,
    calls,
    embed(texts) {
      calls.push([...texts]);
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

describe('passage vectors', () => {
  const reset = { title: 'Reset your password', heading: 'Forgot it?', text: 'Click Forgot password.' };
  const change = { title: 'Change your password', text: 'Open Settings.' };
  const table = {
    'I lost my password': [1, 0, 0],
    'Reset your password': [1, 1, 0],
    'Forgot it?\nClick Forgot password.': [1, 0.1, 0],
    'Change your password': [0, 1, 0],
    'Open Settings.': [-1, 0, 0],
  };

  it('scores the closer of title and body, in [0, 1]', async () => {
    const vectors = new PassageVectors(fakeEncoder(table));
    const [r, c] = await vectors.similarity('I lost my password', [reset, change]);
    expect(r).toBeCloseTo(1 / Math.hypot(1, 0.1), 5); // the body is closer than the title
    expect(c).toBe(0); // orthogonal title, opposite body
  });

  it('encodes a passage once: later tickets encode only their ask', async () => {
    const enc = fakeEncoder(table);
    const vectors = new PassageVectors(enc);
    await vectors.similarity('I lost my password', [reset, change]);
    await vectors.similarity('Change your password', [change, reset]);
    expect(enc.calls).toEqual([
      ['I lost my password'],
      ['Reset your password', 'Forgot it?\nClick Forgot password.', 'Change your password', 'Open Settings.'],
      ['Change your password'],
    ]);
    expect(vectors.size).toBe(4);
    expect(await vectors.similarity('anything', [])).toEqual([]);
  });

  it('forgets the least recently used passages beyond its capacity', async () => {
    const enc = fakeEncoder(table);
    const vectors = new PassageVectors(enc, 2);
    const first = await vectors.similarity('I lost my password', [reset, change]);
    expect(vectors.size).toBe(2);
    expect(await vectors.similarity('I lost my password', [reset, change])).toEqual(first);
    expect(enc.calls.filter((c) => c.length > 1)).toHaveLength(2); // evicted, so encoded again
  });
});
