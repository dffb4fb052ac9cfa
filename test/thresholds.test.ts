import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AutonomySettingsSchema } from '../src/domain/settings.js';
import { thresholdFor } from '../src/pipeline/stages/policy.js';
import { classifyOutcome, type TimelineFact } from '../src/learning/outcomes.js';
import { median, rangeOf, weekOf } from '../src/metrics/stats.js';
import { qualityRow, ticketQuality } from '../src/metrics/quality.js';
import {
  LearningSettingsSchema,
  loweredBy,
  planThresholds,
  proposeThreshold,
  wilsonLower,
  wilsonUpper,
  WORKSPACE_LEVEL,
  type Proposal,
  type ThresholdSample,
} from '../src/learning/thresholds.js';

const settings = LearningSettingsSchema.parse({});
const autonomy = AutonomySettingsSchema.parse({});
/** n answers at a confidence, `fail` of them failing. */
const at = (confidence: number, n: number, fail = 0): ThresholdSample[] =>
  Array.from({ length: n }, (_, i) => ({ confidence, success: i >= fail }));

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

  it('steps at most maxStep at a time toward the lowest safe level', () => {
    const samples = [...at(0.95, 100), ...at(0.87, 50), ...at(0.7, 200)];
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples, settings })).toMatchObject({
      proposed: 0.85,
      safeLevel: { at: 0.7 },
    });
    expect(proposeThreshold({ intent: 'x', current: 0.85, samples, settings }).proposed).toBe(0.8);
    // a capped step that would land on an unsafe level stops at the lowest safe level within the step instead
    const gap = [...at(0.95, 100), ...at(0.89, 100), ...at(0.86, 60, 40), ...at(0.6, 2000)];
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: gap, settings }).proposed).toBe(0.89);
    expect(
      proposeThreshold({ intent: 'x', current: 0.9, samples, settings: { ...settings, maxStep: 0.5 } }).proposed,
    ).toBe(0.7);
  });

  it('holds with too few samples', () => {
    const p = proposeThreshold({ intent: 'x', current: 0.9, samples: [...at(0.95, 20), ...at(0.85, 5)], settings });
    expect(p).toMatchObject({ action: 'hold', reason: 'too_few_samples', proposed: 0.9 });
    // 40 perfect answers are enough samples but not enough evidence for 95% (bound ≈ 0.91).
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.85, 40), settings })).toMatchObject({
      action: 'hold',
      proposed: 0.9,
    });
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
    expect(
      proposeThreshold({ intent: 'x', current: 0.9, samples, settings: { ...settings, pinnedIntents: ['x'] } }),
    ).toMatchObject({ action: 'hold', reason: 'pinned', proposed: 0.9 });
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples, settings, pinnedBy: 'playbook' })).toMatchObject({
      action: 'hold',
      reason: 'playbook_threshold',
    });
    const risky = [...at(0.97, 150), ...at(0.92, 60, 30)];
    expect(
      proposeThreshold({ intent: 'x', current: 0.9, samples: risky, settings: { ...settings, pinnedIntents: ['x'] } })
        .action,
    ).toBe('hold');
  });

  it('never goes below the floor', () => {
    const samples = [...at(0.6, 100), ...at(0.4, 500)];
    expect(proposeThreshold({ intent: 'x', current: 0.62, samples, settings }).proposed).toBe(0.6);
    expect(proposeThreshold({ intent: 'x', current: 0.6, samples, settings })).toMatchObject({
      action: 'hold',
      proposed: 0.6,
    });
    expect(
      proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.4, 500), settings: { ...settings, maxStep: 1 } })
        .action,
    ).toBe('hold');
  });
});

describe('classifyOutcome', () => {
  const t0 = new Date('2026-06-01T09:00:00Z');
  const h = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);
  const ev = (
    type: string,
    hours: number,
    data: Record<string, unknown> = {},
    actorType: TimelineFact['actorType'] = 'customer',
  ): TimelineFact => ({ type, actorType, data, createdAt: h(hours) });
  const answered = ev('message.created', 0, { authorType: 'assistant', visibility: 'public' }, 'assistant');

  it('classifies each signal within the window', () => {
    const now = h(200);
    expect(
      classifyOutcome([ev('message.created', 0, { authorType: 'agent', visibility: 'public' })], { now }),
    ).toBeNull();
    expect(classifyOutcome([answered], { now })).toMatchObject({ outcome: 'no_reply', at: h(72) });
    expect(classifyOutcome([answered], { now: h(10) })).toMatchObject({ outcome: 'pending', at: null });
    expect(classifyOutcome([answered, ev('ticket.reopened', 5)], { now })?.outcome).toBe('reopened');
    expect(classifyOutcome([answered, ev('ticket.reopened', 80)], { now })?.outcome).toBe('no_reply');
    expect(
      classifyOutcome([answered, ev('outcome.recorded', 1, { outcome: 'asked_for_human' }), ev('ticket.reopened', 1)], {
        now,
      })?.outcome,
    ).toBe('asked_for_human');
    expect(
      classifyOutcome([answered, ev('outcome.recorded', 3, { outcome: 'ai_answer_wrong' }, 'agent')], { now })?.outcome,
    ).toBe('marked_wrong');
    expect(
      classifyOutcome([answered, ev('outcome.recorded', 1, { outcome: 'confirmed_solved' })], { now: h(2) })?.outcome,
    ).toBe('confirmed');
    expect(
      classifyOutcome(
        [answered, ev('outcome.recorded', 1, { outcome: 'confirmed_solved' }), ev('ticket.reopened', 4)],
        { now },
      )?.outcome,
    ).toBe('reopened');
    expect(classifyOutcome([answered, ev('ticket.reopened', 30)], { now, windowHours: 24 })?.outcome).toBe('no_reply');
  });
});

describe('routing accuracy over named teams only', () => {
  it('counts a routing that found no team as unassigned, not as a right or wrong routing', () => {
    const t0 = new Date('2026-06-01T09:00:00Z');
    const ticket = (teamId: string | null, moved = false) => ({
      id: 'x',
      createdAt: t0,
      intent: null,
      tier: null,
      firstResponseAt: null,
      predicted: null,
      decided: null,
      timeline: [
        { type: 'ticket.routed', actorType: 'system' as const, data: { teamId }, createdAt: t0 },
        ...(moved ? [{ type: 'team.changed', actorType: 'agent' as const, data: {}, createdAt: t0 }] : []),
      ],
    });
    const rows = [ticket('t1'), ticket('t1', true), ticket(null), ticket(null, true)].map((f) =>
      ticketQuality(f, { now: t0, windowHours: 72 }),
    );
    expect(qualityRow(null, rows)).toMatchObject({
      routed: 2,
      routedCorrectly: 1,
      routingAccuracy: 0.5,
      unassigned: 2,
      unassignedRate: 0.5,
    });
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
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.93, 30), settings })).toMatchObject({
      action: 'hold',
    });
    expect(proposeThreshold({ intent: 'x', current: 0.9, samples: at(0.93, 30, 6), settings })).toMatchObject({
      action: 'raise',
      reason: 'success_below_target',
    });
  });

  it('brings a raised intent back down on its own evidence, a capped step a day', () => {
    const samples = [...at(0.99, 40), ...at(0.93, 200)];
    expect(proposeThreshold({ intent: 'x', current: 0.99, samples, settings })).toMatchObject({
      action: 'lower',
      proposed: 0.94,
      safeLevel: { at: 0.93 },
    });
    expect(proposeThreshold({ intent: 'x', current: 0.99, samples, settings, budget: 0.01 })).toMatchObject({
      action: 'lower',
      proposed: 0.98,
    });
    expect(proposeThreshold({ intent: 'x', current: 0.99, samples, settings, budget: 0 })).toMatchObject({
      action: 'hold',
      reason: 'step_used_today',
    });
  });
});

describe('planThresholds', () => {
  /** Evidence spread over intents: each too thin alone, plenty pooled. */
  const spread = (intents: number, perIntent: number, confidence: number, fail = 0) =>
    new Map(Array.from({ length: intents }, (_, i) => [`intent_${i}`, at(confidence, perIntent, i < fail ? 1 : 0)]));

  it('never moves the default nor any intent on pooled evidence', () => {
    const samples = spread(20, 10, 0.85);
    const plan = planThresholds({ defaultThreshold: 0.9, intentThresholds: {}, samples, settings });
    expect(plan.defaultThreshold).toBe(0.9);
    expect(plan.proposals[0]).toMatchObject({
      intent: WORKSPACE_LEVEL,
      action: 'hold',
      reason: 'starting_threshold',
      atCurrent: { n: 0 },
    });
    expect(plan.changes).toEqual([]);
    // every intent with evidence holds its own threshold, so a later change of the default does not drag it along
    expect(Object.values(plan.intentThresholds)).toEqual(Array(20).fill(0.9));
    expect(
      planThresholds({
        defaultThreshold: 0.9,
        intentThresholds: {},
        samples,
        settings: { ...settings, pinnedIntents: [WORKSPACE_LEVEL] },
      }).proposals[0]!.reason,
    ).toBe('pinned');
  });

  it('loosens one intent on its own evidence while the others keep the starting threshold', () => {
    // the case: 45 answered password resets at high confidence, plus their handed-off tickets, and nothing else
    const samples = new Map([['password_reset', [...at(0.95, 45), ...at(0.7, 400)]]]);
    const plan = planThresholds({ defaultThreshold: 0.9, intentThresholds: {}, samples, settings });
    expect(plan.intentThresholds).toEqual({ password_reset: 0.85 });
    expect(plan.defaultThreshold).toBe(0.9);
    expect(plan.changes).toEqual([
      expect.objectContaining({
        intent: 'password_reset',
        action: 'lower',
        current: 0.9,
        proposed: 0.85,
        atProposed: expect.objectContaining({ n: 45 }),
      }),
    ]);
    // a second run the same day has no step left
    const again = planThresholds({
      defaultThreshold: 0.9,
      intentThresholds: plan.intentThresholds,
      samples,
      settings,
      loweredToday: loweredBy([plan.changes]),
    });
    expect(again.intentThresholds.password_reset).toBe(0.85);
    expect(again.proposals.find((p) => p.intent === 'password_reset')?.reason).toBe('step_used_today');
  });

  it('gives a failing intent its own higher threshold, and keeps pins and playbook thresholds', () => {
    const samples = spread(20, 10, 0.85);
    samples.set('bad', at(0.85, 40, 10));
    const plan = planThresholds({
      defaultThreshold: 0.85,
      intentThresholds: { pinned_one: 0.7 },
      samples,
      settings: { ...settings, pinnedIntents: ['pinned_one'] },
      playbookThresholds: new Map([['intent_3', 0.95]]),
    });
    expect(plan.intentThresholds).toMatchObject({ bad: settings.ceiling, pinned_one: 0.7, intent_0: 0.85 });
    expect(plan.intentThresholds.intent_3).toBeUndefined();
    expect(plan.changes.map((c) => [c.intent, c.action])).toEqual([['bad', 'raise']]);
    expect(plan.proposals.find((p) => p.intent === 'intent_3')).toMatchObject({
      reason: 'playbook_threshold',
      current: 0.95,
    });
  });

  it("lowers below a threshold that no answer reached, on handed-off tickets' evidence", () => {
    // answers only at 0.97 and up; handed-off tickets (agent-labelled) show 0.92 was as good
    const answered = new Map([['a', at(0.97, 50)]]);
    expect(
      planThresholds({ defaultThreshold: 0.97, intentThresholds: {}, samples: answered, settings }).intentThresholds.a,
    ).toBe(0.97);
    const withHandoffs = new Map([['a', [...at(0.97, 50), ...at(0.92, 100)]]]);
    expect(
      planThresholds({ defaultThreshold: 0.97, intentThresholds: {}, samples: withHandoffs, settings }).intentThresholds
        .a,
    ).toBe(0.92);
  });
});

describe('the tuner on random evidence streams (properties)', () => {
  const START = 0.9;
  const INTENTS = ['a', 'b', 'c', 'd', 'e'];
  /** A day's evidence: for some intents, samples at random confidences, each right with that intent's random quality.
   */
  const day = fc.array(
    fc.record({
      intent: fc.constantFrom(...INTENTS),
      confidence: fc.double({ min: 0.3, max: 1, noNaN: true }),
      u: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { maxLength: 120 },
  );
  const stream = fc.record({
    days: fc.array(fc.record({ samples: day, runs: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 12 }),
    quality: fc.dictionary(fc.constantFrom(...INTENTS), fc.double({ min: 0.5, max: 1, noNaN: true })),
    minSamples: fc.integer({ min: 5, max: 40 }),
    targetSuccess: fc.constantFrom(0.8, 0.9, 0.95),
  });

  it(
    'never lets an intent without evidence answer below the start, never lowers more than the step a day, never ' +
      'goes below the floor',
    () => {
      fc.assert(
        fc.property(stream, ({ days, quality, minSamples, targetSuccess }) => {
          const s = { ...settings, minSamples, targetSuccess };
          let thresholds: Record<string, number> = {};
          const evidence = new Map<string, ThresholdSample[]>();
          for (const d of days) {
            for (const x of d.samples) {
              const q = quality[x.intent] ?? 0.97;
              const list = evidence.get(x.intent) ?? [];
              list.push({ confidence: x.confidence, success: x.u < q * x.confidence + (1 - x.confidence) * 0.5 });
              evidence.set(x.intent, list);
            }
            const startOfDay = { ...thresholds };
            const runs: Proposal[][] = [];
            for (let r = 0; r < d.runs; r++) {
              const plan = planThresholds({
                defaultThreshold: START,
                intentThresholds: thresholds,
                samples: evidence,
                settings: s,
                loweredToday: loweredBy(runs),
              });
              expect(plan.defaultThreshold).toBe(START);
              runs.push(plan.changes);
              thresholds = plan.intentThresholds;
            }
            for (const intent of INTENTS) {
              const now = thresholdFor({ ...autonomy, intentThresholds: thresholds }, intent, null);
              if (!evidence.has(intent)) expect(now).toBeGreaterThanOrEqual(START);
              expect(now).toBeGreaterThanOrEqual(Math.min(START, s.floor));
              const before = startOfDay[intent] ?? START;
              expect(before - now).toBeLessThanOrEqual(s.maxStep + 1e-9);
            }
          }
        }),
        { numRuns: 200 },
      );
    },
  );

  it('raises an intent whose answers at its threshold fail', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 0.95, noNaN: true }),
        fc.integer({ min: 30, max: 200 }),
        fc.double({ min: 0.2, max: 0.8, noNaN: true }),
        (current, n, failShare) => {
          const samples = Array.from({ length: n }, (_, i) => ({
            confidence: current + ((1 - current) * i) / n,
            success: i >= Math.ceil(n * failShare),
          }));
          const p = planThresholds({
            defaultThreshold: 0.9,
            intentThresholds: { x: current },
            samples: new Map([['x', samples]]),
            settings,
          });
          expect(p.intentThresholds.x).toBeGreaterThan(current);
          expect(p.changes[0]).toMatchObject({ intent: 'x', action: 'raise', reason: 'success_below_target' });
        },
      ),
      { numRuns: 200 },
    );
  });
});
