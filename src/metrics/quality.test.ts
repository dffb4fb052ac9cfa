import { describe, expect, it } from 'vitest';
import type { TimelineFact } from '../learning/outcomes.js';
import { handoffReplyMinutes, qualityRow, ticketQuality } from './quality.js';
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
