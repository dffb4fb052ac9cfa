import { describe, expect, it } from 'vitest';
import { classifyOutcome, type TimelineFact } from '../src/learning/outcomes.js';
import { median, rangeOf, weekOf } from '../src/metrics/stats.js';
import { LearningSettingsSchema, proposeThreshold, wilsonLower, type ThresholdSample } from '../src/learning/thresholds.js';

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
