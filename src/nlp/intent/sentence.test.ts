import { describe, expect, it } from 'vitest';
import { IntentClassifier } from './classifier.js';
import { tinyDataset } from './fixtures.test-data.js';

/** A stand-in encoder for tests: a unit vector near its label's direction (noise from the text), 16-d. */
function vectorFor(label: string, text: string, labels: string[]): Float32Array {
  const v = new Float32Array(16);
  v[labels.indexOf(label) % 16] = 1;
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  for (let d = 0; d < 16; d++) {
    h = Math.imul(h ^ d, 16777619);
    v[d]! += ((h >>> 0) / 2 ** 32 - 0.5) * 0.6;
  }
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / Math.sqrt(n));
}

describe('sentence-vector evidence', () => {
  const data = tinyDataset();
  const labels = [...new Set(data.map((e) => e.label))];
  const encoderId = 'test:16';
  // texts the words cannot place (no training vocabulary), whose vectors point to their intent
  const unseen = labels.map((label, i) => ({ text: `zzq${i} qqz${i} xxv${i}`, label }));

  it(
    'reads a text with its vector through the sentence calibration, ' + 'and without one exactly as a lexical model',
    () => {
      const vectors = data.map((e) => vectorFor(e.label, e.text, labels));
      const model = IntentClassifier.train(data, {}, { encoderId, vectors });
      const lexical = IntentClassifier.train(data);
      expect(model.sentenceEncoderId).toBe(encoderId);
      expect(lexical.sentenceEncoderId).toBeNull();
      expect(model.calibration.sentence!.expertWeight + model.calibration.sentence!.expertKnnWeight).toBeGreaterThan(0);
      const right = unseen.filter(
        (e) => model.predict(e.text, vectorFor(e.label, e.text, labels)).topIntent === e.label,
      ).length;
      expect(right).toBe(unseen.length);
      for (const e of data.slice(0, 5)) expect(model.predict(e.text)).toEqual(lexical.predict(e.text));
      // a vector of the wrong length (another encoder) is ignored
      expect(model.predict(unseen[0]!.text, new Float32Array(8))).toEqual(lexical.predict(unseen[0]!.text));
    },
  );

  it('survives serialisation, and online updates add neighbours for new labels', () => {
    const vectors = data.map((e) => vectorFor(e.label, e.text, labels));
    const model = IntentClassifier.train(data, {}, { encoderId, vectors });
    const again = IntentClassifier.fromBuffer(model.toBuffer());
    expect(again.sentenceEncoderId).toBe(encoderId);
    for (const e of unseen) {
      const v = vectorFor(e.label, e.text, labels);
      expect(again.predict(e.text, v)).toEqual(model.predict(e.text, v));
    }
    const fresh = new Float32Array(16);
    fresh[15] = 1;
    again.update({ text: 'my parcel tracking number is wrong', label: 'parcel_tracking' }, fresh);
    expect(again.labels).toContain('parcel_tracking');
    expect(again.probabilities('where is my parcel', fresh).length).toBe(again.labels.length);
  });
});
