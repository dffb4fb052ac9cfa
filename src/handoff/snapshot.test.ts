import { describe, expect, it } from 'vitest';
import type { Enrichment } from '../domain/stage-results.js';
import { PacketSnapshotSchema, SNAPSHOT_LIMITS, snapshotOf, trySnapshotOf } from './snapshot.js';

const enrichment = (over: Partial<Enrichment> = {}): Enrichment => ({
  customer: { id: 'c1', name: 'Nancy', email: 'nancy@northwind.example', locale: null },
  account: {
    id: 'a1',
    name: 'Northwind',
    tier: 'enterprise',
    tierSource: 'account',
    plan: 'Scale',
    mrr: 4800,
    seats: 40,
    billingState: 'past_due',
    lifecycleStage: null,
    renewalDate: null,
    owner: null,
  },
  billing: null,
  crm: null,
  usage: null,
  page: { url: 'https://app.example/pipelines/42', featureId: 'pipelines', recentErrors: ['HTTP 500 POST /api/runs'] },
  pageSource: 'ticket',
  previousTickets: 2,
  recentTickets7d: 1,
  reopenedBefore: 0,
  history: [],
  sources: [],
  missing: [],
  ...over,
});

describe('snapshotOf', () => {
  it('keeps the facts the packet showed and says which fields it holds', () => {
    const s = snapshotOf({
      messages: [
        'Hi team. Every pipeline run fails with a 500 error. I already restarted the scheduler, it did not help.',
        'Order #123456 is blocked too.',
      ],
      enrichment: enrichment(),
      intent: 'bug_report',
    });
    expect(PacketSnapshotSchema.parse(s)).toEqual(s);
    expect(s).toMatchObject({
      tier: 'enterprise',
      plan: 'Scale',
      billingState: 'past_due',
      errors: ['HTTP 500 POST /api/runs'],
      page: { featureId: 'pipelines', url: 'https://app.example/pipelines/42' },
      email: 'nancy@northwind.example',
      accountName: 'Northwind',
      references: ['123456'],
      previousTickets: 2,
      intent: 'bug_report',
    });
    expect(s.tried.join(' ')).toMatch(/restarted the scheduler/);
    expect(s.ask).toMatch(/500 error/);
    expect(s.facts.join(' ')).toMatch(/Billing: past_due/);
    expect(s.holds).toEqual([
      'ask',
      'plan',
      'billing',
      'errors',
      'page',
      'account',
      'steps_tried',
      'history',
      'intent',
    ]);
  });

  it('holds nothing it does not know', () => {
    const s = snapshotOf({ messages: ['How do I export my data?'], enrichment: null });
    expect(s.holds).toEqual(['ask']);
    expect(s).toMatchObject({ tier: null, billingState: null, errors: [], page: null, email: null, tried: [] });
    // an active account's billing is a fact; "none" is not
    expect(snapshotOf({ messages: [], enrichment: null, account: { billingState: 'none' } }).holds).toEqual([]);
    expect(snapshotOf({ messages: [], enrichment: null, account: { billingState: 'active' } }).holds).toEqual([
      'billing',
    ]);
  });

  it('falls back to the page the ticket came with', () => {
    const s = snapshotOf({
      messages: ['It broke'],
      enrichment: enrichment({ page: null }),
      page: { route: '/settings/billing', recentErrors: ['TypeError: x is undefined'] },
    });
    expect(s.page).toMatchObject({ route: '/settings/billing' });
    expect(s.errors).toEqual(['TypeError: x is undefined']);
  });

  it('is bounded, however much the customer wrote', () => {
    const long = 'I already tried restarting it again and again '.repeat(40);
    const s = snapshotOf({
      messages: Array.from({ length: 30 }, (_, i) => `${long} (${i}). I also cleared the cache ${i}.`),
      enrichment: enrichment({
        page: { recentErrors: Array.from({ length: 20 }, (_, i) => `Error ${i}: ${'x'.repeat(2000)}`) },
      }),
    });
    expect(() => PacketSnapshotSchema.parse(s)).not.toThrow();
    expect(s.tried.length).toBeLessThanOrEqual(SNAPSHOT_LIMITS.list);
    expect(s.errors.length).toBeLessThanOrEqual(SNAPSHOT_LIMITS.list);
    expect(JSON.stringify(s).length).toBeLessThan(8000);
  });

  it('never fails a handoff: an input it cannot read gives no snapshot', () => {
    expect(trySnapshotOf({ messages: [null as unknown as string], enrichment: null })).toBeNull();
    expect(trySnapshotOf({ messages: ['Hi'], enrichment: null })).toMatchObject({ ask: 'Hi' });
  });
});
