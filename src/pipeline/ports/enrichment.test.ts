import { describe, expect, it } from 'vitest';
import type { IntentPrediction } from '../../nlp/intent/index.js';
import { effectiveBillingState, enrichAccount, runSource, type EnrichmentSource } from './enrichment.js';
import { latestPage } from '../stages/enrich.js';
import { billingPrior } from '../stages/understand.js';
import { tierOf } from '../../connectors/hubspot.js';
import { stateOfStatus, subscriptionFacts } from '../../connectors/stripe.js';
import { stripeSubscription } from '../../../test/fakes/stripe-server.js';

const subject = { workspaceId: 'w', customer: null, account: null, now: new Date('2026-06-01T00:00:00Z') };
const source = (name: string, load: EnrichmentSource['load'], timeoutMs = 100): EnrichmentSource => ({
  name,
  timeoutMs,
  load,
});

describe('enrichment sources', () => {
  it('reports each source as ok, empty, timed out or failed, and never throws', async () => {
    const usage = { lastSeen: null, events30d: 0, features: [], recentErrors: [] };
    expect(
      (
        await runSource(
          source('usage', async () => ({ usage })),
          subject,
        )
      ).report.status,
    ).toBe('ok');
    expect(
      (
        await runSource(
          source('crm', async () => null),
          subject,
        )
      ).report.status,
    ).toBe('empty');
    let aborted = false;
    const slow = await runSource(
      source(
        'crm',
        (_s, signal) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = true;
            });
            setTimeout(() => resolve({ usage }), 1000).unref();
          }),
        30,
      ),
      subject,
    );
    expect(slow.report).toMatchObject({ status: 'timed_out', detail: 'no answer within 30 ms' });
    expect(slow.facts).toBeNull();
    expect(aborted).toBe(true);
    const failed = await runSource(
      source('billing', async () => {
        throw new Error('HTTP 500');
      }),
      subject,
    );
    expect(failed.report).toMatchObject({ status: 'failed', detail: 'HTTP 500' });
  });

  it('merges the CRM tier and the billing state over the stored account', () => {
    const account = {
      id: 'a',
      externalId: null,
      name: 'Acme',
      domain: null,
      tier: 'pro',
      plan: 'Old',
      mrr: 10,
      seats: 1,
      billingState: 'active',
      crmId: null,
      attributes: { ownerAgentId: 'x' },
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    const crm = {
      provider: 'hubspot',
      companyId: '1',
      companyName: 'Acme',
      domain: null,
      contactId: null,
      tier: 'enterprise',
      tierProperty: 'tier',
      lifecycleStage: 'customer',
      renewalDate: null,
      ownerId: null,
      ownerEmail: 'o@x.example',
      ownerName: null,
      syncedAt: subject.now.toISOString(),
      cached: false,
    };
    const merged = enrichAccount(account, null, crm, subject.now);
    expect(merged).toMatchObject({
      tier: 'enterprise',
      tierSource: 'crm',
      plan: 'Old',
      lifecycleStage: 'customer',
      owner: { agentId: 'x', email: 'o@x.example' },
    });
    expect(enrichAccount(account, null, { ...crm, tier: null }, subject.now)).toMatchObject({
      tier: 'pro',
      tierSource: 'account',
    });
    expect(enrichAccount(null, null, null, subject.now)).toBeNull();
  });

  it('lets a downgrade lapse after 30 days', () => {
    expect(effectiveBillingState({ state: 'downgraded', downgradedAt: '2026-05-20T00:00:00Z' }, subject.now)).toBe(
      'downgraded',
    );
    expect(effectiveBillingState({ state: 'downgraded', downgradedAt: '2026-04-01T00:00:00Z' }, subject.now)).toBe(
      'active',
    );
  });

  it('takes the page from the latest customer message that has one', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const messages = [
      { authorType: 'customer' as const, pageContext: { featureId: 'a' }, createdAt: at(1) },
      { authorType: 'customer' as const, pageContext: { featureId: 'b' }, createdAt: at(2) },
      { authorType: 'agent' as const, pageContext: { featureId: 'c' }, createdAt: at(3) },
      { authorType: 'customer' as const, pageContext: null, createdAt: at(4) },
    ];
    expect(latestPage({ pageContext: { featureId: 't' } }, messages)).toEqual({
      page: { featureId: 'b' },
      source: 'message',
    });
    expect(latestPage({ pageContext: { featureId: 't' } }, [])).toEqual({ page: { featureId: 't' }, source: 'ticket' });
    expect(latestPage({ pageContext: null }, [])).toEqual({ page: null, source: null });
  });
});

describe('billing context in understanding', () => {
  const prediction = (
    intent: string | null,
    alternatives: { intent: string; probability: number }[],
  ): IntentPrediction => ({
    intent,
    confidence: 0.6,
    outOfScope: intent === null,
    topIntent: intent ?? 'billing_invoice',
    alternatives,
    multiIntent: null,
    explanation: { topTerms: [], neighbours: [] } as unknown as IntentPrediction['explanation'],
  });
  const alts = [
    { intent: 'billing_failed_payment', probability: 0.3 },
    { intent: 'account_access', probability: 0.1 },
  ];

  it('prefers the failed-payment intent for a past-due account writing about paying, with its own probability', () => {
    const out = billingPrior(prediction('billing_invoice', alts), 'Why is my invoice not paid?', 'past_due');
    expect(out.prediction).toMatchObject({ intent: 'billing_failed_payment', confidence: 0.3 });
    expect(out.adjusted).toMatch(/past_due/);
    expect(billingPrior(prediction(null, alts), 'my card', 'past_due').prediction.intent).toBe(
      'billing_failed_payment',
    );
  });

  it('leaves the prediction alone otherwise', () => {
    expect(
      billingPrior(prediction('billing_invoice', alts), 'Why is my invoice not paid?', 'active').adjusted,
    ).toBeNull();
    expect(billingPrior(prediction('outage', alts), 'Is the payment page down?', 'past_due').adjusted).toBeNull();
    expect(
      billingPrior(prediction('billing_invoice', alts), 'Where do I find the export button?', 'past_due').adjusted,
    ).toBeNull();
    expect(
      billingPrior(
        prediction('billing_invoice', [{ intent: 'account_access', probability: 0.2 }]),
        'my invoice',
        'past_due',
      ).adjusted,
    ).toBeNull();
    // A confident billing intent is kept: a past-due customer may well ask for a refund.
    const sure = {
      ...prediction('billing_refund', [{ intent: 'billing_failed_payment', probability: 0.04 }]),
      confidence: 0.95,
    };
    expect(billingPrior(sure, 'Please refund the charge', 'past_due').adjusted).toBeNull();
  });
});

describe('vendor mappings', () => {
  it('maps Stripe statuses and computes MRR per month', () => {
    expect(
      ['active', 'trialing', 'past_due', 'unpaid', 'incomplete', 'canceled', 'incomplete_expired'].map(stateOfStatus),
    ).toEqual(['active', 'trialing', 'past_due', 'past_due', 'past_due', 'cancelled', 'cancelled']);
    const yearly = subscriptionFacts(
      stripeSubscription({
        id: 's',
        customer: 'c',
        status: 'active',
        unitAmount: 120_000,
        quantity: 3,
        interval: 'year',
        nickname: 'Team',
      }) as never,
    );
    expect(yearly).toMatchObject({ plan: 'Team', mrr: 300, seats: 3, state: 'active' });
  });

  it('maps HubSpot tier values through the tier map', () => {
    expect(tierOf('Tier 1', { 'tier 1': 'enterprise' })).toBe('enterprise');
    expect(tierOf(' Enterprise ', {})).toBe('enterprise');
    expect(tierOf('', {})).toBeNull();
    expect(tierOf(null, {})).toBeNull();
  });
});
