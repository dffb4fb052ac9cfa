import { describe, expect, it } from 'vitest';
import type { Enrichment } from '../domain/stage-results.js';
import { composeAnswer } from './compose.js';
import { billingNotice, customerFacts, factLines } from './facts.js';
import { renderTemplate } from './template.js';

const enrichment = {
  customer: null,
  account: {
    id: 'a1',
    name: 'Hooli',
    tier: 'pro',
    tierSource: 'account',
    plan: 'Pro',
    mrr: 245,
    seats: 5,
    billingState: 'past_due',
    lifecycleStage: null,
    renewalDate: '2027-01-01T00:00:00.000Z',
    owner: null,
  },
  billing: {
    provider: 'stripe',
    customerId: 'cus_1',
    state: 'past_due',
    status: 'past_due',
    plan: 'Pro',
    mrr: 245,
    currency: 'usd',
    seats: 5,
    renewalDate: null,
    trialEnd: '2026-11-30T00:00:00.000Z',
    cancelAt: null,
    cancelledAt: null,
    downgradedAt: null,
    previousPlan: null,
    previousMrr: null,
    paymentFailed: {
      invoiceId: 'in_1',
      amountDue: 245,
      currency: 'usd',
      attemptCount: 1,
      nextPaymentAttempt: '2026-12-09T10:00:00.000Z',
      reason: 'card_declined',
      invoiceUrl: 'https://invoice.stripe.com/i/in_1',
      at: '2026-12-05T08:00:00.000Z',
    },
    lastPaymentAt: null,
    lastRefund: null,
    via: 'stored',
  },
  crm: null,
  usage: {
    lastSeen: null,
    events30d: 3,
    features: [],
    recentErrors: [{ message: 'Payment required (402)', at: '2026-12-05T09:00:00.000Z', event: null }],
  },
  page: { url: 'https://app.example/settings/billing', featureId: 'billing', recentErrors: ['Payment required (402)'] },
  pageSource: 'ticket',
  previousTickets: 0,
  recentTickets7d: 0,
  reopenedBefore: 0,
  history: [],
  sources: [],
  missing: [],
} as unknown as Enrichment;

describe('customer facts', () => {
  const facts = customerFacts(enrichment);

  it('gathers plan, billing, the failed invoice, trial, seats, the page and its errors', () => {
    expect(facts).toMatchObject({
      plan: 'Pro',
      tier: 'pro',
      billingState: 'past_due',
      seats: 5,
      trialEnd: '2026-11-30',
      failedPayment: {
        invoiceId: 'in_1',
        amount: 'USD 245.00',
        on: '2026-12-05',
        reason: 'card_declined',
        payUrl: 'https://invoice.stripe.com/i/in_1',
        nextAttempt: '2026-12-09',
      },
      page: { featureId: 'billing', url: 'https://app.example/settings/billing' },
      recentErrors: ['Payment required (402)'],
    });
    expect(customerFacts(null, { plan: 'Team', tier: 'pro', billingState: 'active' })).toMatchObject({
      plan: 'Team',
      billingState: 'active',
      failedPayment: null,
      page: null,
    });
  });

  it('states them in lines, without links for a model', () => {
    const lines = factLines(facts);
    expect(lines[0]).toBe(
      'Billing: past_due; the payment of USD 245.00 for invoice in_1 failed on 2026-12-05 (card_declined); it can ' +
        'be paid at https://invoice.stripe.com/i/in_1; next attempt 2026-12-09.',
    );
    expect(lines).toContain('Account: tier pro, plan Pro, 5 seats.');
    expect(lines.join(' ')).toMatch(/Recent errors: "Payment required \(402\)"/);
    expect(factLines(facts, { links: false }).join(' ')).not.toMatch(/https?:/);
  });

  it('gives the billing notice only to a past-due account asking about access or paying', () => {
    expect(billingNotice('Why has our account been locked?', facts)).toEqual([
      'Your account is past due: the payment of USD 245.00 for invoice in_1 failed on 2026-12-05 (card_declined).',
      'You can pay the invoice here: https://invoice.stripe.com/i/in_1',
      'Otherwise the card on file will be charged again on 2026-12-09.',
    ]);
    expect(billingNotice('How do I export runs to CSV?', facts)).toBeNull();
    expect(billingNotice('Why has our account been locked?', { ...facts, billingState: 'active' })).toBeNull();
  });

  it('fills templates and opens an extractive answer with the notice', () => {
    const context = { customer: { name: 'kim park' }, facts };
    expect(
      renderTemplate(
        '{{billing.failedInvoice.url}} {{billing.failedInvoice.amount}} {{page.feature}} {{billing.trialEnd}} ' +
          '{{account.seats}}',
        context,
      ),
    ).toBe('https://invoice.stripe.com/i/in_1 USD 245.00 billing 2026-11-30 5');
    expect(renderTemplate('{{page.feature}} / {{billing.failedInvoice.url | none}}', {})).toBe('this page / none');
    const answer = composeAnswer({
      playbook: { kind: 'answer', template: null, action: null },
      question: 'Why has our account been locked?',
      passages: [
        {
          articleId: 'art_1',
          title: 'A payment failed',
          text:
            'Update your card under Settings → Billing → Payment method; the open invoice is charged again ' +
            'right away.',
          score: 1,
        },
      ],
      customer: { name: 'Kim Park' },
      facts,
    });
    expect(answer.text).toMatch(/^Hi Kim,\n\nYour account is past due: the payment of USD 245\.00/);
    expect(answer.text).toContain('Payment method');
    expect(answer.sentences.find((s) => s.text.startsWith('Your account is past due'))?.source).toBe('template');
  });
});
