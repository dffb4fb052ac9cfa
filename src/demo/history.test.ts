import { describe, expect, it } from 'vitest';
import { rng } from '../nlp/intent/numeric.js';
import { demoCustomers, demoHistory, demoQuestion } from './history.js';

const now = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

describe('demoHistory', () => {
  const rows = demoHistory({ now });
  const age = (r: (typeof rows)[number]) => (now.getTime() - r.createdAt.getTime()) / DAY;

  it('is deterministic, oldest first, over 90 days, from a few hundred customer contacts', () => {
    expect(demoHistory({ now })).toEqual(rows);
    expect(rows.length).toBeGreaterThan(1000);
    expect(new Set(rows.map((r) => r.externalId)).size).toBe(rows.length);
    expect(rows.every((r, i) => i === 0 || r.createdAt >= rows[i - 1]!.createdAt)).toBe(true);
    expect(age(rows[0]!)).toBeGreaterThan(89);
    expect(rows.every((r) => r.createdAt < now)).toBe(true);
    expect(new Set(rows.map((r) => r.customer.email)).size).toBeGreaterThan(150);
    expect(new Set(demoCustomers().map((c) => c.email)).size).toBe(demoCustomers().length);
  });

  it('tells its story: an incident spike, a churning account, settled and open work, customers coming back', () => {
    const perDay = (pred: (r: (typeof rows)[number]) => boolean, day: number) =>
      rows.filter((r) => pred(r) && Math.floor(age(r)) === day).length;
    const incident = (r: (typeof rows)[number]) => r.tags.includes('run-history');
    expect(perDay(incident, 6)).toBeGreaterThan(20);
    expect(perDay(incident, 30)).toBe(0);
    expect(rows.filter(incident).every((r) => r.pageContext?.appVersion === '4.13.0')).toBe(true);
    const globex = (from: number, to: number) =>
      rows.filter((r) => r.customer.accountExternalId === 'acc_globex' && age(r) >= from && age(r) < to).length;
    expect(globex(0, 15)).toBeGreaterThan(2 * globex(60, 75));
    expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['settled', 'replied', 'waiting']));
    expect(rows.filter((r) => r.state !== 'settled').every((r) => age(r) < 2)).toBe(true);
    expect(rows.some((r) => r.comesBack)).toBe(true);
    expect(new Set(rows.map((r) => r.intent)).size).toBeGreaterThan(12);
  });

  it('a different seed gives a different history; the trickle asks in the same styles', () => {
    expect(demoHistory({ now, seed: 7 })).not.toEqual(rows);
    const q = demoQuestion(rng(3));
    expect(rows.some((r) => r.subject === q.subject && r.intent === q.intent)).toBe(true);
    expect(q.customer.accountExternalId).not.toBe('acc_globex');
  });
});
