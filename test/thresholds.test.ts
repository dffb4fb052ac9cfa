import { describe, expect, it } from 'vitest';
import { classifyOutcome, type TimelineFact } from '../src/learning/outcomes.js';
import { median, rangeOf, weekOf } from '../src/metrics/stats.js';
import { LearningSettingsSchema, planThresholds, proposeThreshold, wilsonLower, wilsonUpper, WORKSPACE_LEVEL, type ThresholdSample } from '../src/learning/thresholds.js';

const settings = LearningSettingsSchema.parse({});
/** n answers at a confidence, `fail` of them failing. */
const at = (confidence: number, n: number, fail = 0): ThresholdSample[] => Array.from({ length: n }, (_, i) => ({ confidence, success: i >= fail }));

describe('wilsonLower', () => {
  it('matches the Wilson score interval', () => {
    expect(wilsonLower(0, 0)).toBe(0);
    expect(wilsonLower(95, 100)).toBeCloseTo(0.8882, 3);
    expect(wilsonLower(100, 100)).toBeCloseTo(0.963, 3);
    expect(wilsonLower(10, 10)).toBeCloseTo(0.7225, 3);
  });
});

describe('proposeThreshold', () => {
  it('lowers toward the lowest safe confidence when there is enough evidence', () => {
    // 0.88 and up: 150 answers, all good; 0.8: 100 more with 20 failures (unsafe once included).
    const samples = [...at(0.95, 100), ...at(0.88, 50), ...at(0.8, 100, 20)];
    const p = proposeThreshold({ intent: 'billing_invoice', current: 0.9, samples, settings });
    expect(p).toMatchObject({ action: 'lower', reason: 'safe_lower_threshold', current: 0.9, proposed: 0.88 });
    expect(p.atProposed).toMatchObject({ at: 0.88, n: 150, successes: 150 });
    expect(p.atProposed.wilsonLower).toBeGreaterThan(settings.targetSuccess);
    expect(p.atCurrent).toMatchObject({ n: 100, successes: 100 });
  });

  it('steps at most maxStep at a time, else to the nearest safe level below', () => {
    const samples = [...at(0.95, 100), ...at(0.87, 50), ...at(0.7, 200)];
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples, settings }).proposed).toBe(0.87);
    expect(proposeThreshold({ intent: 'x', current: 0.87, samples, settings }).proposed).toBe(0.7);
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples, settings: { ...settings, maxStep: 0.5 } }).proposed).toBe(0.7);
  });

  it('holds with too few samples', () => {
    const p = proposeThreshold({ intent: 'x', current: 0.9, samples: [...at(0.95, 20), ...at(0.85, 5)], settings });
    expect(p).toMatchObject({ action: 'hold', reason: 'too_few_samples', proposed: 0.9 });
    // 40 perfect answers are enough samples but not enough evidence for 95% (bound ≈ 0.91).
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.85, 40), settings })).toMatchObject({ action: 'hold', proposed: 0.9 });
  });

  it('raises when reopens rise, to the lowest safe level above or the ceiling', () => {
    const samples = [...at(0.97, 150), ...at(0.92, 60, 30)];
    const p = proposeThreshold({ intent: 'x', current: 0.9, samples, settings });
    expect(p).toMatchObject({ action: 'raise', reason: 'success_below_target', proposed: 0.97 });
    expect(p.atCurrent.wilsonLower).toBeLessThan(settings.targetSuccess);
    const none = proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.95, 60, 20), settings });
    expect(none).toMatchObject({ action: 'raise', proposed: settings.ceiling });
  });

  it('respects admin pins and playbook thresholds', () => {
    const samples = [...at(0.95, 100), ...at(0.85, 100)];
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples, settings: { ...settings, pinnedIntents: ['x'] } })).toMatchObject({ action: 'hold', reason: 'pinned', proposed: 0.9 });
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples, settings, pinnedBy: 'playbook' })).toMatchObject({ action: 'hold', reason: 'playbook_threshold' });
    const risky = [...at(0.97, 150), ...at(0.92, 60, 30)];
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: risky, settings: { ...settings, pinnedIntents: ['x'] } }).action).toBe('hold');
  });

  it('never goes below the floor', () => {
    const samples = [...at(0.6, 100), ...at(0.4, 500)];
    expect(proposeThreshold({ intent: 'x', current: 0.62, samples, settings }).proposed).toBe(0.6);
    expect(proposeThreshold({ intent: 'x', current: 0.6, samples, settings })).toMatchObject({ action: 'hold', proposed: 0.6 });
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.4, 500), settings: { ...settings, maxStep: 1 } }).action).toBe('hold');
  });
});

describe('classifyOutcome', () => {
  const t0 = new Date('2026-06-01T09:00:00Z');
  const h = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);
  const ev = (type: string, hours: number, data: Record<string, unknown> = {}, actorType: TimelineFact['actorType'] = 'customer'): TimelineFact => ({ type, actorType, data, createdAt: h(hours) });
  const answered = ev('message.created', 0, { authorType: 'assistant', visibility: 'public' }, 'assistant');

  it('classifies each signal within the window', () => {
    const now = h(200);
    expect(classifyOutcome([ev('message.created', 0, { authorType: 'agent', visibility: 'public' })], { now })).toBeNull();
    expect(classifyOutcome([answered], { now })).toMatchObject({ outcome: 'no_reply', at: h(72) });
    expect(classifyOutcome([answered], { now: h(10) })).toMatchObject({ outcome: 'pending', at: null });
    expect(classifyOutcome([answered, ev('ticket.reopened', 5)], { now })?.outcome).toBe('reopened');
    expect(classifyOutcome([answered, ev('ticket.reopened', 80)], { now })?.outcome).toBe('no_reply');
    expect(classifyOutcome([answered, ev('outcome.recorded', 1, { outcome: 'asked_for_human' }), ev('ticket.reopened', 1)], { now })?.outcome).toBe('asked_for_human');
    expect(classifyOutcome([answered, ev('outcome.recorded', 3, { outcome: 'ai_answer_wrong' }, 'agent')], { now })?.outcome).toBe('marked_wrong');
    expect(classifyOutcome([answered, ev('outcome.recorded', 1, { outcome: 'confirmed_solved' })], { now: h(2) })?.outcome).toBe('confirmed');
    expect(classifyOutcome([answered, ev('outcome.recorded', 1, { outcome: 'confirmed_solved' }), ev('ticket.reopened', 4)], { now })?.outcome).toBe('reopened');
    expect(classifyOutcome([answered, ev('ticket.reopened', 30)], { now, windowHours: 24 })?.outcome).toBe('no_reply');
  });
});

describe('metrics helpers', () => {
  it('computes medians, weeks and ranges', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(weekOf(new Date('2026-06-07T23:59:00Z'))).toBe('2026-06-01');
    expect(weekOf(new Date('2026-06-08T00:00:00Z'))).toBe('2026-06-08');
    const now = new Date('2026-06-30T00:00:00Z');
    expect(rangeOf({}, now)).toEqual({ from: new Date('2026-05-31T00:00:00Z'), to: now });
  });
});

describe('tuning on evidence, not on its absence', () => {
  it('has a Wilson upper bound', () => {
    expect(wilsonUpper(0, 0)).toBe(1);
    expect(wilsonUpper(95, 100)).toBeCloseTo(0.9785, 3);
    expect(wilsonUpper(10, 10)).toBe(1);
  });

  it('does not raise a threshold whose answers all held, however few', () => {
    // 30 answers without a failure cannot prove 95% yet (bound ≈ 0.89), but nothing says they fall short either
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.93, 30), settings })).toMatchObject({ action: 'hold' });
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.93, 30, 6), settings })).toMatchObject({ action: 'raise', reason: 'success_below_target' });
  });

  it('returns an intent to the workspace level once its evidence there is no longer bad', () => {
    const samples = [...at(0.95, 40), ...at(0.85, 20)];
    expect(proposeThreshold({ intent: 'x', current: 0.99, samples, settings, fallback: 0.85 })).toMatchObject({ action: 'lower', reason: 'workspace_level', proposed: 0.85 });
    expect(proposeThreshold({ intent: 'x', current: 0.99, samples: [...at(0.95, 40), ...at(0.85, 20, 12)], settings, fallback: 0.85 }).action).toBe('hold');
  });
});

describe('planThresholds', () => {
  /** Evidence spread over intents: each too thin alone, plenty pooled. */
  const spread = (intents: number, perIntent: number, confidence: number, fail = 0) =>
    new Map(Array.from({ length: intents }, (_, i) => [`intent_${i}`, at(confidence, perIntent, i < fail ? 1 : 0)]));

  it('moves the workspace default on all intents pooled while each intent alone has too little', () => {
    const samples = spread(20, 10, 0.85);
    const plan = planThresholds({ defaultThreshold: 0.9, intentThresholds: {}, samples, settings });
    expect(plan.defaultThreshold).toBe(0.85);
    expect(plan.proposals[0]).toMatchObject({ intent: WORKSPACE_LEVEL, action: 'lower', atProposed: { n: 200, successes: 200 } });
    expect(plan.intentThresholds).toEqual({});
    expect(plan.changes.map((c) => c.intent)).toEqual([WORKSPACE_LEVEL]);
    // an admin pin on `*` holds the default
    expect(planThresholds({ defaultThreshold: 0.9, intentThresholds: {}, samples, settings: { ...settings, pinnedIntents: [WORKSPACE_LEVEL] } }).defaultThreshold).toBe(0.9);
  });

  it('gives a failing intent its own higher threshold, and keeps pins and playbook thresholds', () => {
    const samples = spread(20, 10, 0.85);
    samples.set('bad', at(0.85, 40, 10));
    const plan = planThresholds({ defaultThreshold: 0.85, intentThresholds: { pinned_one: 0.7 }, samples, settings: { ...settings, pinnedIntents: ['pinned_one'] }, playbookThresholds: new Map([['intent_3', 0.95]]) });
    expect(plan.intentThresholds).toEqual({ bad: settings.ceiling, pinned_one: 0.7 });
    expect(plan.changes.map((c) => [c.intent, c.action])).toEqual([['bad', 'raise']]);
    expect(plan.proposals.find((p) => p.intent === 'intent_3')).toMatchObject({ reason: 'playbook_threshold', current: 0.95 });
  });

  it("lowers below a threshold that no answer reached, on handed-off tickets' evidence", () => {
    // answers only at 0.97 and up; handed-off tickets (agent-labelled) show 0.9 was as good
    const answered = new Map([['a', at(0.97, 50)]]);
    expect(planThresholds({ defaultThreshold: 0.97, intentThresholds: {}, samples: answered, settings }).defaultThreshold).toBe(0.97);
    const withHandoffs = new Map([['a', [...at(0.97, 50), ...at(0.92, 100)]]]);
    expect(planThresholds({ defaultThreshold: 0.97, intentThresholds: {}, samples: withHandoffs, settings }).defaultThreshold).toBe(0.92);
  });
});
