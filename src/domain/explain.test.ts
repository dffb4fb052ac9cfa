import { describe, expect, it } from 'vitest';
import {
  describeSentiment,
  describeTone,
  describeUrgency,
  explainCheck,
  explainReason,
  explainResolveFailure,
  explainRouteSkip,
  percent,
} from './explain.js';

describe('plain-language explanations', () => {
  it('reads the confidence guardrail as a sentence, never as a code', () => {
    expect(explainCheck({ check: 'intent_confident', passed: false, value: 0.871, threshold: 0.9 })).toBe(
      'Confidence 87% is below the 90% this intent needs to answer alone.',
    );
    expect(explainCheck({ check: 'intent_confident', passed: true, value: 0.97, threshold: 0.9 })).toBe(
      'Confidence 97% meets the 90% this intent needs to answer alone.',
    );
    expect(explainReason('compose_off_question')).toMatch(/not likely enough to answer/);
    // Never "90% is below the 90%".
    expect(percent(0.897, 0.9)).toBe('89.7%');
  });

  it('names the playbook, the tier, the reopen and the request for a person', () => {
    expect(
      explainCheck(
        { check: 'playbook_available', passed: false, value: 'handoff/auto' },
        () => 'Refunds',
        'billing_refund',
      ),
    ).toBe('Refunds always goes to a person (playbook).');
    expect(explainCheck({ check: 'playbook_available', passed: false, value: null }, undefined, 'data_export')).toBe(
      'No playbook for Data export: a person answers.',
    );
    expect(explainCheck({ check: 'tier_allowed', passed: false, value: 'enterprise' })).toBe(
      'Enterprise accounts always go to a person.',
    );
    expect(explainCheck({ check: 'not_repeat_contact', passed: false, value: 1, detail: 'reopened 1 time(s)' })).toBe(
      'Reopened by the customer: a person takes it from here.',
    );
    expect(explainReason('human_requested')).toBe('The customer asked for a person.');
    expect(explainReason('reopened')).toBe('Reopened by the customer.');
    expect(explainReason('ai_error')).toMatch(/error, so a person takes over/);
  });

  it('uses the stored verdict for a guardrail reason, and falls back to words for an unknown code', () => {
    const checks = [{ check: 'intent_confident', passed: false, value: 0.5, threshold: 0.9 }];
    expect(explainReason('intent_confident', { checks })).toBe(
      'Confidence 50% is below the 90% this intent needs to answer alone.',
    );
    expect(explainReason('made_up_code', { detail: 'due in 10 minutes' })).toBe('Made up code: due in 10 minutes.');
    for (const check of [
      'language_supported',
      'in_scope',
      'single_intent',
      'sentiment_ok',
      'no_sensitive_topic',
      'ai_reply_budget',
      'retrieval_confident',
    ]) {
      for (const passed of [true, false])
        expect(explainCheck({ check, passed, value: null, threshold: null })).not.toMatch(/undefined|NaN|null|_/);
    }
  });

  it('puts the resolve, route and understand codes in words', () => {
    expect(explainResolveFailure('off_question')).toMatch(/not likely enough to answer this question/);
    expect(explainResolveFailure('ungrounded')).toMatch(/the articles do not support/);
    expect(explainResolveFailure('timeout')).toBe('The language model did not answer in time.');
    expect(explainResolveFailure('brand_new')).toBe('No reply could be composed (brand new).');
    expect(explainReason('queue')).toBe('Taken from the team queue when an agent came online.');
    expect(explainReason('agent_offline')).toBe('Its agent went offline, so it was routed again.');
    expect(explainReason('handed_off')).toMatch(/^Handed to a person/);
    expect(explainReason('sla_at_risk')).toMatch(/SLA target was at risk/);
    expect(explainRouteSkip('not handed to a human')).toBe('Not routed: no person was needed.');
    expect(explainRouteSkip('already assigned')).toMatch(/already has its agent/);
    expect(describeTone('negative')).toBe('the customer sounds unhappy');
    expect(describeUrgency('urgent')).toBe('needs an answer right away');
    expect(describeUrgency('low')).toBe('can wait');
    for (const phrase of [
      ...['off_question', 'ungrounded', 'empty', 'error', 'low_overlap', 'bad_citation'].map(explainResolveFailure),
      ...['action_failed', 'no_action', 'no_playbook'].map(explainResolveFailure),
      ...['negative', 'neutral', 'positive'].map(describeTone),
      ...['urgent', 'high', 'normal', 'low'].map(describeUrgency),
    ])
      expect(phrase).not.toMatch(/_/);
  });

  it('says how the customer sounds, with the evidence', () => {
    expect(
      describeSentiment({
        compound: 0,
        cues: [
          { kind: 'frustration', cue: 'repeat_contact', evidence: 'third time' },
          { kind: 'anger', cue: 'exclamations' },
        ],
        direction: 'unknown',
      }),
    ).toBe('Frustrated ("third time"); Angry ("exclamations"). Tone neutral.');
    expect(describeSentiment({ compound: -0.7, cues: [], direction: 'worsening' })).toBe(
      'Tone very negative, getting worse.',
    );
    expect(describeSentiment({ compound: null, cues: [] })).toBe('No sentiment measured.');
  });
});
