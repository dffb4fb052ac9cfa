import { describe, expect, it } from 'vitest';
import { TicketImportSchema } from '../ingest/import.js';
import { demoHistory } from './history.js';

const now = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

describe('demoHistory', () => {
  const rows = demoHistory({ now });

  it('is deterministic, valid import rows, a few thousand over 90 days', () => {
    expect(demoHistory({ now })).toEqual(rows);
    expect(rows.length).toBeGreaterThan(1500);
    for (const r of rows) TicketImportSchema.parse(r);
    expect(new Set(rows.map((r) => r.externalId)).size).toBe(rows.length);
    const first = Date.parse(rows[0]!.createdAt!);
    expect(now.getTime() - first).toBeGreaterThan(89 * DAY);
    expect(rows.every((r) => Date.parse(r.createdAt!) < now.getTime())).toBe(true);
  });

  it('tells its story: an incident spike, a churning account, settled and open tickets, reopens', () => {
    const perDay = (pred: (r: (typeof rows)[number]) => boolean, day: number) =>
      rows.filter((r) => pred(r) && Math.floor((now.getTime() - Date.parse(r.createdAt!)) / DAY) === day).length;
    const incident = (r: (typeof rows)[number]) => r.tags.includes('run-history');
    expect(perDay(incident, 6)).toBeGreaterThan(20);
    expect(perDay(incident, 30)).toBe(0);
    const globex = (r: (typeof rows)[number]) => r.customer.accountExternalId === 'acc_globex';
    const count = (from: number, to: number) =>
      rows.filter((r) => {
        const age = (now.getTime() - Date.parse(r.createdAt!)) / DAY;
        return globex(r) && age >= from && age < to;
      }).length;
    expect(count(0, 15)).toBeGreaterThan(2 * count(60, 75));
    const statuses = new Set(rows.map((r) => r.status));
    expect([...statuses].sort()).toEqual(['closed', 'new', 'open', 'resolved']);
    expect(rows.some((r) => r.messages.length === 3)).toBe(true);
    expect(new Set(rows.map((r) => r.intent)).size).toBeGreaterThan(12);
  });

  it('a different seed gives a different history', () => {
    expect(demoHistory({ now, seed: 7 })).not.toEqual(rows);
  });
});
