import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  heldExamples,
  liveWithout,
  retrainDue,
  retrainWithGuard,
  stratifiedWindow,
  type LiveHistory,
  type WindowLabel,
} from './retrain-guard.js';
import { trainedOnOf } from './retrain.js';
import { retrainInWorker } from './retrain-thread.js';
import { LearningSettingsSchema } from './thresholds.js';
import { IntentClassifier, RECALIBRATION_MIN, recalibrated, type LabelledExample } from '../nlp/intent/index.js';

const WORDS: Record<string, string[]> = {
  refund: ['refund', 'money back', 'reimburse', 'chargeback', 'repayment', 'refunded'],
  password: ['password', 'log in', 'login', 'sign in', 'locked out', 'reset link'],
  shipping: ['parcel', 'delivery', 'shipment', 'courier', 'tracking number', 'package'],
};
const TEMPLATES = [
  'how do I get my {w} sorted',
  'question about {w} please',
  'can you help with {w} today',
  'I need help: {w}',
  'what is the status of my {w}',
];
/** Every template × word of each intent. */
const examples = (labels = Object.keys(WORDS)): LabelledExample[] =>
  labels.flatMap((label) => WORDS[label]!.flatMap((w) => TEMPLATES.map((t) => ({ text: t.replace('{w}', w), label }))));

describe('retrainDue', () => {
  const s = LearningSettingsSchema.parse({});
  it('waits for enough new labels and enough growth', () => {
    expect(retrainDue(870, 770, s)).toBe(false); // 100 new labels, but under 20% growth (154)
    expect(retrainDue(930, 770, s)).toBe(true);
    expect(retrainDue(1000, 800, s)).toBe(true);
    expect(retrainDue(1100, 1000, s)).toBe(false);
    expect(retrainDue(1200, 1000, s)).toBe(true);
    expect(retrainDue(150, 0, { retrainMinLabels: 200, retrainGrowth: 0 })).toBe(false);
  });
  it('reads the labels a model was trained on from its version metrics', () => {
    expect(trainedOnOf({ trainedOn: 120, examples: 5 })).toBe(120);
    expect(trainedOnOf({ examples: 50 })).toBe(50);
    expect(trainedOnOf({})).toBe(0);
  });
});

describe('retrainWithGuard', () => {
  /** 270 examples, the three intents interleaved (the window is at most a tenth of the labels). */
  const all = [1, 2, 3]
    .flatMap((k) => examples().map((e) => ({ ...e, text: `${e.text} (${['first', 'second', 'third'][k - 1]} time)` })))
    .sort((a, b) => (a.text.length % 7) - (b.text.length % 7));

  it('promotes a retrain that beats the live model on the held-out window, and keeps every label', () => {
    // the live model got the window wrong when it arrived; the retrain (which never saw the window) gets it right
    const window: WindowLabel[] = all.slice(-25).map((e) => ({ ...e, liveRight: false }));
    const r = retrainWithGuard(all, window);
    expect(r.status).toBe('promoted');
    if (r.status !== 'promoted') return;
    expect(r.before).toBe(0);
    expect(r.after!).toBeGreaterThan(0.8);
    expect(r.examples).toBe(all.length);
    expect(r.model.size).toBe(all.length);
    expect(heldExamples(r.model).slice(-window.length)).toEqual(window.map(({ text, label }) => ({ text, label })));
  });

  it('rejects a retrain that is worse on the window than the live model was', () => {
    // the window's labels contradict the rest (the live model had them right): a retrain without them gets them wrong
    const window: WindowLabel[] = examples(['refund'])
      .slice(0, 25)
      .map((e) => ({ ...e, label: 'shipping', liveRight: true }));
    const r = retrainWithGuard([...all, ...window], window);
    expect(r).toMatchObject({ status: 'rejected', before: 1, window: 25 });
    expect((r as { after: number }).after).toBeLessThan(0.5);
  });

  it('judges on a window that represents the workspace, not its latest burst', () => {
    // the newest 100 labels are a burst of one intent the live model had just learned online (all right on arrival)
    const label = (e: LabelledExample, liveRight: boolean): WindowLabel => ({ ...e, liveRight });
    const burst = Array.from({ length: 100 }, (_, i) => label({ text: `parcel burst ${i}`, label: 'shipping' }, true));
    const recent = [...all.slice(0, 60).map((e) => label(e, false)), ...burst];
    const window = stratifiedWindow(recent, [...all, ...burst], 27);
    const counts = Object.fromEntries(Object.keys(WORDS).map((k) => [k, window.filter((w) => w.label === k).length]));
    expect(window).toHaveLength(27);
    expect(counts).toEqual({ refund: 9, password: 9, shipping: 9 });
    // newest first within an intent, returned oldest first
    expect(window.filter((w) => w.label === 'shipping').map((w) => w.text)).toEqual(burst.slice(-9).map((w) => w.text));
    expect(recent.indexOf(window[0]!)).toBeLessThan(recent.indexOf(window.at(-1)!));
    // no intent gives more than a quarter of its labels (at least one)
    expect(stratifiedWindow(burst, burst, 200)).toHaveLength(25);
    expect(stratifiedWindow(burst.slice(0, 3), burst.slice(0, 3), 200)).toHaveLength(1);
  });

  describe("with the live model's history", () => {
    /** The live model: trained on the first 150 labels, then 120 learned online. */
    const base = IntentClassifier.train(all.slice(0, 150));
    const live = (): LiveHistory => ({ base: IntentClassifier.fromBuffer(base.toBuffer()), online: all.slice(150) });
    const key = (e: LabelledExample) => `${e.label}|${e.text}`;
    const accuracy = (m: IntentClassifier, xs: LabelledExample[]) =>
      xs.filter((e) => m.predict(e.text).topIntent === e.label).length / xs.length;

    it('judges the live model rebuilt without the window, now — whatever it predicted when the tickets arrived', () => {
      // property: over any record of arrival predictions (a burst flatters them: all right, or none), the live side
      // is the rebuilt model's accuracy on the window, and the window holds only labels its base never trained on
      const inBase = new Set(all.slice(0, 150).map(key));
      fc.assert(
        fc.property(fc.array(fc.boolean(), { minLength: all.length, maxLength: all.length }), (rights) => {
          const recent: WindowLabel[] = all.map((e, i) => ({ ...e, liveRight: rights[i]! }));
          const r = retrainWithGuard(all, recent, {}, null, live());
          const window = stratifiedWindow(
            recent.filter((w) => !inBase.has(key(w))),
            all,
            27,
          );
          expect(r.window).toBe(27);
          expect(window.every((w) => !inBase.has(key(w)))).toBe(true);
          const held = new Set(window.map((w) => `${w.label}\u0000${w.text}`));
          expect(r.before).toBe(accuracy(liveWithout(live(), held), window));
          expect(r.after).not.toBeNull();
        }),
        { numRuns: 4 },
      );
    });

    it('promotes a retrain that a flattering arrival record would have rejected', () => {
      // an incident: 40 refund-worded tickets, half of them labelled shipping, a burst the live model learned online;
      // the arrival record calls every one right (each came the moment after its like). Neither the candidate nor
      // the live model rebuilt without the window saw the window's share of them: they do about as well there
      const burst: LabelledExample[] = examples(['refund'])
        .slice(0, 30)
        .map((e, i) => ({ text: `${e.text} — order ${i}`, label: i % 2 ? 'shipping' : 'refund' }));
      const held = [...all, ...burst];
      const recent: WindowLabel[] = held.slice(150).map((e) => ({ ...e, liveRight: true }));
      const history = { base: IntentClassifier.fromBuffer(base.toBuffer()), online: held.slice(150) };
      const judgedNow = retrainWithGuard(held, recent, { tolerance: 0.1 }, null, history);
      const onArrival = retrainWithGuard(held, recent, { tolerance: 0.1 });
      expect(onArrival).toMatchObject({ status: 'rejected', before: 1 });
      expect(judgedNow.status).toBe('promoted');
      expect(judgedNow.before!).toBeLessThan(0.9);
    });

    it('holds every copy of a window label out of the candidate, and gives them back after', () => {
      const twice = [...all, ...all.slice(200, 230)];
      const recent: WindowLabel[] = twice.slice(150).map((e) => ({ ...e, liveRight: true }));
      const history = { base: IntentClassifier.fromBuffer(base.toBuffer()), online: twice.slice(150) };
      const r = retrainWithGuard(twice, recent, { tolerance: 1 }, null, history);
      expect(r.status).toBe('promoted');
      if (r.status !== 'promoted') return;
      expect(r.model.size).toBe(twice.length);
      expect(r.examples).toBe(twice.length);
      expect(new Set(heldExamples(r.model).map(key))).toEqual(new Set(twice.map(key)));
    });
  });

  it('promotes unjudged when the window is too small to judge', () => {
    const r = retrainWithGuard(
      all,
      all.slice(0, 3).map((e) => ({ ...e, liveRight: true })),
    );
    expect(r).toMatchObject({ status: 'promoted', before: null, after: null, examples: all.length });
  });

  it('lists the examples a model holds, online labels included', () => {
    const m = IntentClassifier.train(all.slice(0, 40));
    m.update({ text: 'my parcel never came', label: 'shipping' });
    expect(heldExamples(m)).toHaveLength(41);
    expect(heldExamples(m).at(-1)).toEqual({ text: 'my parcel never came', label: 'shipping' });
  });
});

describe('recalibration of a promoted model', () => {
  const variants = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];
  /** 540 examples (the window can reach 54 labels). */
  const all = variants
    .flatMap((v) => examples().map((e) => ({ ...e, text: `${e.text} (${v} time)` })))
    .sort((a, b) => (a.text.length % 7) - (b.text.length % 7));
  const fresh = examples()
    .filter((_, i) => i % 4 === 0)
    .map((e) => `${e.text}, asked again`);

  it('fits a map on the window that brings an overconfident retrain down, and keeps it when saved', () => {
    // a third of the window's labels disagree with what the words say: the retrain is confidently wrong on them
    const others = Object.keys(WORDS);
    const window: WindowLabel[] = all.slice(-54).map((e, i) => ({
      ...e,
      label: i % 3 === 0 ? others[(others.indexOf(e.label) + 1) % others.length]! : e.label,
      liveRight: false,
    }));
    const r = retrainWithGuard([...all.slice(0, -54), ...window], window);
    expect(r.status).toBe('promoted');
    if (r.status !== 'promoted') return;
    expect(r.recalibration).not.toBeNull();
    expect(r.recalibration!.n).toBe(54);
    expect(r.model.calibration.recalibration).toEqual(r.recalibration);
    // the same model without the map
    const raw = IntentClassifier.fromBuffer(r.model.toBuffer());
    expect(raw.calibration.recalibration).toEqual(r.recalibration);
    raw.calibration.recalibration = undefined;
    const before = fresh.map((t) => raw.predict(t).confidence);
    const after = fresh.map((t) => r.model.predict(t).confidence);
    after.forEach((c, i) => {
      expect(c).toBeLessThanOrEqual(before[i]!);
      expect(c).toBeCloseTo(recalibrated(r.recalibration!, before[i]!), 10);
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // about two in three of the window was right, nearly all at a confidence of 1: the map shifts confidences down
    expect(r.recalibration!.intercept).toBeLessThan(-0.5);
    const top = before.map((c, i) => [c, after[i]!] as const).filter(([c]) => c > 0.999);
    expect(top.length).toBeGreaterThan(fresh.length / 2);
    for (const [c, d] of top) expect(d).toBeLessThan(c);
    expect(mean(after)).toBeLessThan(mean(before));
    // around the autonomy thresholds the drop is large enough to matter
    expect(recalibrated(r.recalibration!, 0.97)).toBeLessThan(0.95);
  });

  it('never raises a confidence, and fits nothing on too few labels', () => {
    const m = IntentClassifier.train(all.slice(0, 200));
    expect(m.recalibrate(all.slice(-(RECALIBRATION_MIN - 1)))).toBeNull();
    expect(m.calibration.recalibration).toBeUndefined();
    // a model right on every held-out label fits a map that would raise confidences: they stay as they were
    const before = fresh.map((t) => m.predict(t).confidence);
    expect(m.recalibrate(all.slice(-RECALIBRATION_MIN))).not.toBeNull();
    expect(fresh.map((t) => m.predict(t).confidence)).toEqual(before);
    expect(recalibrated({ slope: 0.5, intercept: 0, n: 100 }, 0.99)).toBeLessThan(0.99);
    expect(recalibrated({ slope: 2, intercept: 1, n: 100 }, 0.9)).toBe(0.9);
  });
});

describe('retrainInWorker', () => {
  /** 270 examples (the window is at most a tenth of them). */
  const all = ['first', 'second', 'third'].flatMap((k) =>
    examples().map((e) => ({ ...e, text: `${e.text} (${k} time)` })),
  );
  const fresh = ['where is my parcel now', 'I want my money back', 'cannot log in to my account'];

  it('retrains in a worker thread: the same outcome as in this thread, while this thread keeps running', async () => {
    const window: WindowLabel[] = all.slice(-20).map((e) => ({ ...e, liveRight: false }));
    const here = retrainWithGuard(all, window);
    let ranMeanwhile = false;
    setImmediate(() => {
      ranMeanwhile = true;
    });
    const there = await retrainInWorker(all, window);
    // a retrain computed in this thread would have finished before any queued callback ran
    expect(ranMeanwhile).toBe(true);
    expect(there.status).toBe('promoted');
    if (there.status !== 'promoted' || here.status !== 'promoted') return;
    expect({ ...there, model: null, seconds: 0 }).toEqual({ ...here, model: null, seconds: 0 });
    expect(there.model.size).toBe(here.model.size);
    for (const t of fresh) expect(there.model.predict(t)).toEqual(here.model.predict(t));
  });

  it('passes a rejection back, and fails when the worker fails', async () => {
    const window: WindowLabel[] = examples(['refund'])
      .slice(0, 25)
      .map((e) => ({ ...e, label: 'shipping', liveRight: true }));
    const r = await retrainInWorker([...all, ...window], window);
    expect(r).toMatchObject({ status: 'rejected', before: 1, window: 25 });
    await expect(retrainInWorker([], [])).rejects.toThrow(/at least one example/);
    // A retrain that outlives its time is stopped, and fails.
    await expect(retrainInWorker(all, [], {}, 1)).rejects.toThrow(/longer than/);
  });
});
