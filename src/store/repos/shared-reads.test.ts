import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase } from '../../../test/helpers.js';
import { decisions, events, messages, tickets, workspaces } from '../schema.js';
import { stageDecisions } from './decisions.js';
import { ticketFactEvents } from './events.js';
import { firstCustomerMessages } from './messages.js';

const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 9, minute));
const decide = (decision: string) => ({
  decision,
  reason: 'r',
  failed: [],
  threshold: 0.8,
  checks: [],
  playbook: null,
});

describe.each(backends())('shared reads on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let ws: string;
  let other: string;
  let early: string;
  let late: string;
  let foreign: string;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const db = database.db;
    [ws, other] = (
      await db
        .insert(workspaces)
        .values([{ name: 'A' }, { name: 'B' }])
        .returning()
    ).map((w) => w.id) as [string, string];
    [early, late, foreign] = (
      await db
        .insert(tickets)
        .values([
          { workspaceId: ws, subject: 'early', createdAt: at(0) },
          { workspaceId: ws, subject: 'late', createdAt: at(30) },
          { workspaceId: other, subject: 'foreign', createdAt: at(0) },
        ])
        .returning()
    ).map((t) => t.id) as [string, string, string];
    const message = (
      workspaceId: string,
      ticketId: string,
      authorType: 'customer' | 'agent',
      text: string,
      m: number,
    ) => ({
      workspaceId,
      ticketId,
      authorType,
      bodyText: text,
      createdAt: at(m),
    });
    await db
      .insert(messages)
      .values([
        message(ws, early, 'agent', 'agent first', 1),
        message(ws, early, 'customer', 'customer second', 3),
        message(ws, early, 'customer', 'customer first', 2),
        message(ws, late, 'customer', 'late question', 31),
        message(other, foreign, 'customer', 'foreign question', 1),
      ]);
    const event = (workspaceId: string, ticketId: string, type: string, m: number) => ({
      workspaceId,
      ticketId,
      type,
      actorType: 'system' as const,
      data: { m },
      createdAt: at(m),
    });
    await db
      .insert(events)
      .values([
        event(ws, early, 'message.created', 1),
        event(ws, early, 'ticket.routed', 2),
        event(ws, late, 'ticket.reopened', 32),
        event(ws, early, 'outcome.recorded', 5),
        event(other, foreign, 'message.created', 1),
      ]);
    const record = (workspaceId: string, ticketId: string, result: Record<string, unknown>, m: number) => ({
      workspaceId,
      ticketId,
      runId: `run-${m}`,
      stage: 'decide',
      ok: true,
      result,
      createdAt: at(m),
    });
    await db
      .insert(decisions)
      .values([
        record(ws, early, decide('draft'), 1),
        record(ws, early, { decision: 'resolve', confidence: 0.9 }, 2),
        record(ws, late, decide('resolve'), 31),
        record(other, foreign, decide('hand_off'), 1),
      ]);
  });
  afterAll(async () => database?.cleanup());

  it('reads the first customer message of the tickets asked for, of the workspace only', async () => {
    const first = await firstCustomerMessages(database.db, ws, [early, late, foreign]);
    expect(Object.fromEntries(first)).toEqual({ [early]: 'customer first', [late]: 'late question' });
    expect((await firstCustomerMessages(database.db, ws, [])).size).toBe(0);
  });

  it('reads the events of the given types of listed tickets, or of tickets created in a range, in order', async () => {
    const types = ['message.created', 'ticket.reopened', 'outcome.recorded'];
    const listed = await ticketFactEvents(database.db, ws, { ticketIds: [early, late, foreign] }, types);
    expect(listed.map((e) => [e.ticketId, e.type])).toEqual([
      [early, 'message.created'],
      [late, 'ticket.reopened'],
      [early, 'outcome.recorded'],
    ]);
    const inRange = await ticketFactEvents(database.db, ws, { createdIn: { from: at(0), to: at(10) } }, types);
    expect(inRange.map((e) => [e.ticketId, e.type, e.data])).toEqual([
      [early, 'message.created', { m: 1 }],
      [early, 'outcome.recorded', { m: 5 }],
    ]);
    expect(await ticketFactEvents(database.db, ws, { ticketIds: [] }, types)).toEqual([]);
  });

  it('reads a stage’s parsable records of the tickets created in a range, skipping older shapes', async () => {
    const recs = await stageDecisions(database.db, 'decide', {
      workspaceId: ws,
      ticketsCreatedIn: { from: at(0), to: at(10) },
    });
    expect(recs.map((r) => [r.ticketId, r.result.decision])).toEqual([[early, 'draft']]);
    const all = await stageDecisions(database.db, 'decide', { workspaceId: ws }, 'oldest');
    expect(all.map((r) => r.result.decision)).toEqual(['draft', 'resolve']);
  });
});
