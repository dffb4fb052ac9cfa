import { describe, expect, it } from 'vitest';
import {
  fitIsotonic,
  fitTemperature,
  meanNll,
  thresholdForPrecision,
  expectedCalibrationError,
} from './calibration.js';
import { tinyDataset } from './fixtures.test-data.js';
import { IntentClassifier, IntentPredictionSchema } from './index.js';
import { rng } from './numeric.js';
import { splitClauses, tokenize, withoutSignOff } from './text.js';
import { loadWordVectors, resetWordVectorsCache } from './vectors.js';

const data = tinyDataset();
const model = IntentClassifier.train(data);

describe('IntentClassifier', () => {
  it(
    'reads a long message by its sentences: an ask buried in background paragraphs is found, ' + 'the sign-off ignored',
    () => {
      const background =
        'I have been a customer for years and I am mostly happy. I am writing from the train, so sorry for typos. ' +
        'Last week was very busy with the move to the new flat and everything that comes with it. My sister uses ' +
        'the service as well.';
      const long =
        `Hello team,\n\n${background}\n\nI forgot the password for my login.\n\n${background}\n\nKind ` +
        `regards,\nAnna\n\nSent from my phone`;
      expect(tokenize(long).length).toBeGreaterThan(80);
      const p = model.predict(long);
      expect(p.topIntent).toBe('reset_password');
      expect(p.outOfScope).toBe(false);
      expect(withoutSignOff(long)).not.toMatch(/Anna|Sent from/);
      expect(withoutSignOff(long)).toMatch(/password/);
      expect(withoutSignOff('Thanks,\nwhere is my parcel?')).toBe('Thanks,\nwhere is my parcel?');
    },
  );

  it('learns a tiny dataset and generalises to paraphrases', () => {
    const train = data.filter((e) => model.predict(e.text).topIntent === e.label).length / data.length;
    expect(train).toBeGreaterThan(0.95);
    const unseen: [string, string][] = [
      ['somebody stole my card this morning', 'lost_card'],
      ['I forgot the password for my login', 'reset_password'],
      ['I need my money back for this order', 'refund_request'],
      ['where is my parcel, it has not arrived', 'delivery_status'],
      ['please cancel my monthly subscription', 'cancel_subscription'],
    ];
    for (const [text, label] of unseen) expect(model.predict(text).topIntent, text).toBe(label);
    expect(model.labels.sort()).toEqual([
      'cancel_subscription',
      'delivery_status',
      'lost_card',
      'refund_request',
      'reset_password',
    ]);
  });

  it('returns a schema-valid prediction with an explanation', () => {
    const p = model.predict('my card was stolen yesterday');
    expect(IntentPredictionSchema.parse(p)).toEqual(p);
    expect(p.explanation.topTerms.length).toBeGreaterThan(0);
    expect(p.explanation.topTerms.map((t) => t.term)).toContain('stolen');
    expect(p.explanation.neighbours.length).toBeGreaterThan(0);
    expect(p.explanation.neighbours[0]!.label).toBe('lost_card');
    expect(p.alternatives[0]!.intent).toBe('lost_card');
    const total = p.alternatives.reduce((s, a) => s + a.probability, 0);
    expect(total).toBeLessThanOrEqual(1.0000001);
  });

  it('gives out-of-scope texts low confidence', () => {
    const inScope = model.predict('I forgot my password');
    for (const text of ['xqzt vlorp gnarf', 'what is the capital of peru', '']) {
      const p = model.predict(text);
      expect(p.confidence, text).toBeLessThan(inScope.confidence);
      expect(p.outOfScope, text).toBe(true);
      expect(p.intent, text).toBeNull();
    }
    expect(inScope.outOfScope).toBe(false);
    expect(model.predict('qwxz blorf zzkt').outOfScope).toBe(true);
    expect(model.predict('').intent).toBeNull();
  });

  it('flags a text asking two unrelated things', () => {
    const p = model.predict('I lost my card yesterday. Also, how do I reset my password?');
    expect(p.multiIntent).not.toBeNull();
    expect(p.multiIntent!.intents.sort()).toEqual(['lost_card', 'reset_password']);
    expect(p.multiIntent!.parts.length).toBe(2);
    expect(model.predict('I lost my card yesterday').multiIntent).toBeNull();
  });

  it('takes online updates, including a never-seen label', () => {
    const m = IntentClassifier.fromBuffer(model.toBuffer());
    const text = 'my app crashes when I open the settings screen';
    expect(m.predict(text).topIntent).not.toBe('app_bug');
    m.update({ text: 'the app crashes every time I open it', label: 'app_bug' });
    expect(m.labels).toContain('app_bug');
    m.update({ text: 'the mobile app keeps crashing on the settings page', label: 'app_bug' });
    expect(m.predict(text).topIntent).toBe('app_bug');
    // an existing label can be taught a new phrasing
    const before = m.predict('my plastic got nicked').topIntent;
    m.update({ text: 'my plastic got nicked', label: 'lost_card' });
    expect(m.predict('my plastic got nicked').topIntent).toBe('lost_card');
    expect(before === 'lost_card' || m.predict('my plastic got nicked').topIntent === 'lost_card').toBe(true);
    // old knowledge survives
    expect(m.predict('I forgot my password').topIntent).toBe('reset_password');
    // an updated model round-trips too
    const back = IntentClassifier.fromBuffer(m.toBuffer());
    expect(back.labels).toEqual(m.labels);
    for (const t of [text, 'my plastic got nicked', 'where is my parcel'])
      expect(back.predict(t)).toEqual(m.predict(t));
  });

  it('round-trips through toBuffer/fromBuffer with identical predictions', () => {
    const buf = model.toBuffer();
    expect(buf.byteLength).toBeLessThan(2_000_000);
    const t = performance.now();
    const back = IntentClassifier.fromBuffer(buf);
    expect(performance.now() - t).toBeLessThan(1000);
    for (const text of ['where is my parcel', 'refund please', 'I lost my card. Also cancel my plan', 'zzz']) {
      expect(back.predict(text)).toEqual(model.predict(text));
    }
    expect(() => IntentClassifier.fromBuffer(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).toThrow();
  });

  it('works without the word-vector asset (training and loading)', () => {
    const m = IntentClassifier.train(data, { vectorScale: 0 });
    expect(m.predict('I forgot my password').topIntent).toBe('reset_password');
    const buf = model.toBuffer();
    resetWordVectorsCache(null); // pretend the asset is missing
    try {
      const noVec = IntentClassifier.train(data);
      expect(noVec.core.meanDims).toBe(0);
      expect(noVec.predict('where is my parcel').topIntent).toBe('delivery_status');
      const loaded = IntentClassifier.fromBuffer(buf); // a model trained with vectors still loads and predicts
      expect(loaded.predict('I forgot my password').topIntent).toBe('reset_password');
    } finally {
      resetWordVectorsCache();
    }
  });
});

describe('calibration', () => {
  it('fits a temperature that lowers NLL and is monotone (isotonic)', () => {
    const r = rng(3);
    const K = 4;
    const logits: Float64Array[] = [];
    const truth: number[] = [];
    for (let i = 0; i < 600; i++) {
      const z = new Float64Array(K);
      for (let k = 0; k < K; k++) z[k] = r() * 6; // over-confident scores
      const probs = Array.from(z, (v) => Math.exp(v / 3));
      const s = probs.reduce((a, b) => a + b, 0);
      let u = r() * s;
      let t = 0;
      while (t < K - 1 && (u -= probs[t]!) > 0) t++;
      logits.push(z);
      truth.push(t);
    }
    const tr = Int32Array.from(truth);
    const T = fitTemperature(logits, tr, K);
    expect(T).toBeGreaterThan(2);
    expect(T).toBeLessThan(4.5);
    expect(meanNll(logits, tr, K, T)).toBeLessThan(meanNll(logits, tr, K, 1));
    const conf = Array.from({ length: 200 }, () => r());
    const ok = conf.map((c) => r() < c);
    const iso = fitIsotonic(conf, ok);
    for (let i = 1; i < iso.y.length; i++) expect(iso.y[i]!).toBeGreaterThanOrEqual(iso.y[i - 1]!);
  });

  it('picks precision thresholds and measures ECE', () => {
    const conf = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6];
    const ok = [true, true, true, false, true, false];
    expect(thresholdForPrecision(conf, ok, 1)).toBe(0.9);
    expect(thresholdForPrecision(conf, ok, 0.8)).toBe(0.7);
    expect(expectedCalibrationError([1, 1], [true, true])).toBe(0);
    expect(expectedCalibrationError([0.9, 0.9], [false, false])).toBeCloseTo(0.9);
  });
});

describe('word vectors', () => {
  it('loads the compact asset lazily with unit-length vectors', () => {
    const wv = loadWordVectors();
    expect(wv).not.toBeNull();
    const off = wv!.lookup('card');
    expect(off).toBeGreaterThanOrEqual(0);
    let n = 0;
    for (let k = 0; k < wv!.dims; k++) n += wv!.data[off + k]! ** 2;
    expect(n).toBeCloseTo(1, 3);
    expect(wv!.lookup('qqqzzzxxy')).toBe(-1);
  });
});

describe('text', () => {
  it('tokenises and splits clauses', () => {
    expect(tokenize("I can't find my Café card")).toEqual(['i', 'can', 'not', 'find', 'my', 'cafe', 'card']);
    expect(splitClauses('I lost my card. How do I reset my password?')).toHaveLength(2);
    expect(splitClauses('my card and my pin')).toHaveLength(1);
  });
});

describe('examples kept out of the calibration', () => {
  it('never holds out an example marked calibrate: false', () => {
    const all = IntentClassifier.train(data.slice(0, 60), { vectorScale: 0 });
    expect(all.calibration.heldOutAccuracy).not.toBeNull();
    // the same examples, all but 19 trained on only: too few are left to calibrate on, so no slice is held out
    const marked = data.slice(0, 60).map((e, i) => (i < 41 ? { ...e, calibrate: false } : e));
    const kept = IntentClassifier.train(marked, { vectorScale: 0 });
    expect(kept.calibration.heldOutAccuracy).toBeNull();
    expect(kept.size).toBe(60);
  });
});
