import { describe, expect, it } from 'vitest';
import { analyseSentiment } from './sentiment.js';
import { starterExamples } from './taxonomy.js';
import {
  assessUrgency,
  BASELINE_SCORE,
  HIGH_THRESHOLD,
  NORMAL_THRESHOLD,
  priorityForScore,
  URGENT_THRESHOLD,
  UrgencyResultSchema,
  type UrgencyResult,
} from './urgency.js';

const factors = (r: UrgencyResult) => r.contributions.map((c) => c.factor);

describe('assessUrgency', () => {
  it('an enterprise account reporting an outage is urgent, with contributions listed', () => {
    const r = assessUrgency({ text: 'The dashboard is down for all our agents', tier: 'enterprise' });
    expect(r.priority).toBe('urgent');
    expect(r.score).toBeGreaterThanOrEqual(URGENT_THRESHOLD);
    expect(factors(r)).toEqual(expect.arrayContaining(['baseline', 'outage', 'tier']));
    expect(r.contributions.find((c) => c.factor === 'outage')?.detail).toContain('is down');
    expect(r.contributions.find((c) => c.factor === 'tier')?.detail).toContain('enterprise');
    expect(() => UrgencyResultSchema.parse(r)).not.toThrow();
  });

  it('the score is the clamped sum of the contributions', () => {
    const r = assessUrgency({ text: 'Getting 500 errors on every page', tier: 'pro', mrr: 1200, recentTicketCount: 3 });
    const sum = r.contributions.reduce((s, c) => s + c.weight, 0);
    expect(r.score).toBeCloseTo(Math.min(1, Math.max(0, sum)), 3);
    expect(r.contributions[0]).toEqual({
      factor: 'baseline',
      weight: BASELINE_SCORE,
      detail: 'every ticket starts here',
    });
    expect(factors(r)).toEqual(expect.arrayContaining(['outage', 'high_mrr', 'recent_tickets']));
  });

  it('a free account how-to question is low or normal', () => {
    const r = assessUrgency({
      text: 'How do I export CSV from the dashboard?',
      tier: 'free',
      intent: 'how_to',
      intentConfidence: 0.9,
    });
    expect(['low', 'normal']).toContain(r.priority);
    expect(r.score).toBeLessThan(NORMAL_THRESHOLD);
    expect(factors(r)).toContain('intent_how_to');
    expect(r.contributions.find((c) => c.factor === 'intent_how_to')!.weight).toBeLessThan(0);
  });

  it('does not mistake "drop-down" or "download" for an outage', () => {
    const r = assessUrgency({ text: 'The drop-down menu on the download page is misaligned', tier: 'pro' });
    expect(factors(r)).not.toContain('outage');
    expect(r.priority).toBe('normal');
  });

  it('security and data-loss words raise the score', () => {
    const hacked = assessUrgency({
      text: 'I think my account was hacked, there is a suspicious login from another country',
    });
    expect(factors(hacked)).toContain('security');
    expect(hacked.priority).toBe('high');
    const phishing = assessUrgency({
      text: 'Our agents got a phishing email that looks like yours',
      intent: 'security_privacy',
      intentConfidence: 0.8,
    });
    expect(factors(phishing)).toEqual(expect.arrayContaining(['security', 'intent_security_privacy']));
    expect(phishing.contributions.find((c) => c.factor === 'intent_security_privacy')?.detail).toContain(
      'corroborates',
    );
    const lost = assessUrgency({ text: 'All our tickets have disappeared from the inbox' });
    expect(factors(lost)).toContain('data_loss');
    expect(lost.score).toBeGreaterThanOrEqual(HIGH_THRESHOLD);
  });

  it('a negated outage word does not count', () => {
    expect(
      factors(assessUrgency({ text: 'No outage, the site is fine, just a question about reports' })),
    ).not.toContain('outage');
  });

  it('uses negative sentiment, anger, legal threats and churn from the text', () => {
    const r = assessUrgency({
      text:
        'This is the third time I am asking, still broken!!! Unacceptable. I will contact my lawyer and ' +
        'cancel my account.',
      tier: 'pro',
      recentTicketCount: 4,
    });
    expect(factors(r)).toEqual(
      expect.arrayContaining([
        'negative_sentiment',
        'anger',
        'frustration',
        'legal_threat',
        'churn_risk',
        'recent_tickets',
      ]),
    );
    expect(r.contributions.find((c) => c.factor === 'negative_sentiment')?.detail).toContain('computed from the text');
    expect(['high', 'urgent']).toContain(r.priority);
  });

  it('uses a given sentiment instead of recomputing it', () => {
    const angry = analyseSentiment('This is unacceptable, I am furious!!!');
    const r = assessUrgency({ text: 'Please update my billing address', sentiment: angry });
    expect(factors(r)).toContain('anger');
    expect(r.contributions.find((c) => c.factor === 'negative_sentiment')?.detail).not.toContain('computed');
  });

  it('past_due billing and a failed-payment intent add up without double counting', () => {
    const r = assessUrgency({
      text: 'My card was declined',
      billingState: 'past_due',
      intent: 'billing_failed_payment',
      intentConfidence: 1,
    });
    expect(factors(r)).toEqual(
      expect.arrayContaining(['payment_failure', 'billing_past_due', 'intent_billing_failed_payment']),
    );
    expect(r.contributions.find((c) => c.factor === 'intent_billing_failed_payment')?.weight).toBeCloseTo(0.06, 3);
    expect(assessUrgency({ billingState: 'Past Due' }).contributions.map((c) => c.factor)).toContain(
      'billing_past_due',
    );
  });

  it('an outage intent alone is high, scaled by confidence', () => {
    const sure = assessUrgency({ intent: 'outage', intentConfidence: 1, tier: 'pro' });
    const unsure = assessUrgency({ intent: 'outage', intentConfidence: 0.3, tier: 'pro' });
    expect(sure.score).toBeGreaterThan(unsure.score);
    expect(sure.priority).toBe('high');
  });

  it('several recent tickets and high MRR add weight; unknown tiers and intents add nothing', () => {
    const few = assessUrgency({ recentTicketCount: 1 });
    const many = assessUrgency({ recentTicketCount: 6 });
    expect(many.score).toBeGreaterThan(few.score);
    const r = assessUrgency({ tier: 'platinum-legacy', intent: 'something_custom', mrr: 10 });
    expect(r.contributions).toHaveLength(1);
    expect(r.score).toBe(BASELINE_SCORE);
    expect(assessUrgency({ mrr: 6000 }).contributions.find((c) => c.factor === 'high_mrr')?.weight).toBe(0.15);
  });

  it('ranks the starter examples sensibly: outages high or urgent, feature requests and how-tos low', () => {
    const byLabel = (label: string) =>
      starterExamples()
        .filter((e) => e.label === label)
        .map((e) => assessUrgency({ text: e.text, intent: e.label, intentConfidence: 0.9, tier: 'pro' }).priority);
    expect(byLabel('outage').every((p) => p === 'high' || p === 'urgent')).toBe(true);
    expect(byLabel('feature_request').every((p) => p === 'low')).toBe(true);
    expect(byLabel('how_to').filter((p) => p === 'low').length).toBeGreaterThanOrEqual(25);
  });

  it('maps scores to priorities with the named thresholds', () => {
    expect(priorityForScore(URGENT_THRESHOLD)).toBe('urgent');
    expect(priorityForScore(HIGH_THRESHOLD)).toBe('high');
    expect(priorityForScore(NORMAL_THRESHOLD)).toBe('normal');
    expect(priorityForScore(NORMAL_THRESHOLD - 0.01)).toBe('low');
    expect(URGENT_THRESHOLD).toBeGreaterThan(HIGH_THRESHOLD);
    expect(HIGH_THRESHOLD).toBeGreaterThan(NORMAL_THRESHOLD);
  });

  it('keeps the score within [0, 1] when everything fires', () => {
    const r = assessUrgency({
      text:
        'URGENT!!! Site is down, we lost all our data and I think we were hacked. Every customer is affected. ' +
        'My lawyer is copied.',
      intent: 'outage',
      tier: 'enterprise',
      mrr: 50_000,
      billingState: 'past_due',
      recentTicketCount: 9,
    });
    expect(r.score).toBe(1);
    expect(r.priority).toBe('urgent');
  });
});
