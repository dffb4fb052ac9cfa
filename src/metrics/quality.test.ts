import { describe, expect, it } from 'vitest';
import type { TimelineFact } from '../learning/outcomes.js';
import { snapshotOf } from '../handoff/snapshot.js';
import { fieldCounts, handoffReplyMinutes, qualityRow, ticketQuality } from './quality.js';
import { quantile } from './stats.js';

const T0 = Date.parse('2026-06-01T09:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000);
const ev = (type: string, min: number, data: Record<string, unknown> = {}): TimelineFact => ({
  type,
  actorType: 'system',
  data,
  createdAt: at(min),
});
const msg = (authorType: string, min: number, visibility = 'public') =>
  ev('message.created', min, { authorType, visibility });

describe('handoffReplyMinutes', () => {
  it('measures from the first handoff to the first public reply by a person', () => {
    const tl = [
      msg('customer', 0),
      msg('assistant', 1),
      ev('ticket.handed_off', 2),
      msg('assistant', 3),
      msg('agent', 10, 'internal'),
      msg('agent', 32),
      ev('ticket.handed_off', 40),
      msg('agent', 50),
    ];
    expect(handoffReplyMinutes(tl)).toBe(30);
  });

  it('is null without a handoff or before any person replied', () => {
    expect(handoffReplyMinutes([msg('customer', 0), msg('agent', 5)])).toBeNull();
    expect(handoffReplyMinutes([ev('ticket.handed_off', 0), msg('assistant', 1), msg('agent', 2, 'internal')])).toBe(
      null,
    );
    // a reply written before the handoff is not a reply to it
    expect(handoffReplyMinutes([msg('agent', 0), ev('ticket.handed_off', 5)])).toBeNull();
  });
});

describe('quantile', () => {
  it('takes the nearest rank', () => {
    expect(quantile([], 0.9)).toBeNull();
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([5, 1, 4, 2, 3, 6, 7, 8, 9, 100], 0.9)).toBe(9);
    expect(quantile([1, 2, 3, 4, 10], 0.9)).toBe(10);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
  });
});

describe('qualityRow handoff reply times', () => {
  it('summarises median and p90 over the handed-off tickets a person replied to', () => {
    const facts = (tl: TimelineFact[]) => ({
      id: 'x',
      createdAt: at(0),
      intent: null,
      tier: null,
      firstResponseAt: null,
      timeline: tl,
      predicted: null,
      decided: null,
    });
    const now = at(10_000);
    const qs = [10, 20, 30, 40, 200].map((m) =>
      ticketQuality(facts([ev('ticket.handed_off', 0), msg('agent', m)]), { now, windowHours: 72 }),
    );
    qs.push(ticketQuality(facts([ev('ticket.handed_off', 0)]), { now, windowHours: 72 }));
    const row = qualityRow(null, qs);
    expect(row).toMatchObject({
      escalated: 6,
      handoffsReplied: 5,
      medianHandoffReplyMinutes: 30,
      p90HandoffReplyMinutes: 200,
    });
  });
});

describe('qualityRow escalation quality', () => {
  const facts = (tl: TimelineFact[]) => ({
    id: 'x',
    createdAt: at(0),
    intent: null,
    tier: null,
    firstResponseAt: null,
    timeline: tl,
    predicted: null,
    decided: null,
  });
  const opts = { now: at(10_000), windowHours: 72 };
  const packet = snapshotOf({
    messages: ['The export fails with an error.'],
    enrichment: null,
    account: { tier: 'pro', plan: 'Team' },
    customer: { email: 'a@b.example' },
  });
  const handoff = (data: Record<string, unknown> = { packet }) => ev('ticket.handed_off', 0, data);
  const reply = (text: string, m = 5) => ({ at: at(m), text });

  it('rates the packets by the verdicts and names the missing fields', () => {
    const row = qualityRow(null, [
      ticketQuality(facts([handoff()]), opts, {
        verdicts: [
          { verdict: 'missing', missing: ['billing', 'errors'] },
          { verdict: 'had_what_i_needed', missing: [] },
        ],
      }),
      ticketQuality(facts([handoff()]), opts, { verdicts: [{ verdict: 'missing', missing: ['billing'] }] }),
      ticketQuality(facts([handoff()]), opts),
    ]);
    expect(row).toMatchObject({
      handoffVerdicts: 3,
      packetHadWhatNeeded: 1,
      packetHadWhatNeededRate: 1 / 3,
      topMissingFields: [
        { field: 'billing', count: 2 },
        { field: 'errors', count: 1 },
      ],
    });
  });

  it('counts the checked tickets whose customer had to repeat what the packet held', () => {
    const row = qualityRow(null, [
      // asked for the plan the packet showed (twice in one ticket: counted once)
      ticketQuality(facts([handoff()]), opts, {
        replies: [reply('Which plan are you on?'), reply('And your account email, please confirm it?', 9)],
      }),
      // asked for something the packet did not hold
      ticketQuality(facts([handoff()]), opts, { replies: [reply('Which browser do you use?')] }),
      // no reply since the handoff: not checked
      ticketQuality(facts([handoff()]), opts),
      // a handoff kept before snapshots existed: not checked
      ticketQuality(facts([handoff({ reason: 'x' })]), opts, { replies: [reply('Which plan are you on?')] }),
    ]);
    expect(row).toMatchObject({
      handoffsChecked: 2,
      repeatedInfo: 1,
      repeatedInfoRate: 0.5,
      topRepeatedFields: [
        { field: 'plan', count: 1 },
        { field: 'account', count: 1 },
      ],
    });
    expect(qualityRow(null, [])).toMatchObject({
      handoffVerdicts: 0,
      packetHadWhatNeededRate: null,
      repeatedInfoRate: null,
    });
  });

  it('orders field counts by count, then by the fields’ order', () => {
    expect(fieldCounts(['page', 'ask', 'page', 'billing'])).toEqual([
      { field: 'page', count: 2 },
      { field: 'ask', count: 1 },
      { field: 'billing', count: 1 },
    ]);
  });
});
