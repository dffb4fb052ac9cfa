/**
 * Bulk import on both databases: chunks of multi-row inserts, a checkpoint per chunk (an interrupted import
 * resumes after its last committed chunk), a row the database refuses rejected alone, history kept, and
 * Zendesk exports converted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../src/store/ctx.js';
import { importText } from '../src/ingest/import.js';
import { zendeskToJsonl } from '../src/ingest/import-zendesk.js';
import { getTicketDetail } from '../src/tickets/get-ticket.js';
import { listTickets } from '../src/tickets/list-tickets.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

/** `n` JSONL ticket rows with history: every third resolved with an agent reply and an intent. */
function rows(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      externalId: `${prefix}-${i}`,
      subject: `Question ${i} about invoices`,
      body: `Hello, this is question ${i}.`,
      customerEmail: `c${i % 37}@${prefix}.test`,
      createdAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
      ...(i % 3 === 0
        ? {
            status: 'resolved',
            intent: 'billing',
            messages: [
              {
                author: 'agent',
                text: 'Here you go',
                createdAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000 + 600_000).toISOString(),
              },
            ],
          }
        : {}),
    }),
  ).join('\n');
}

describe.each(backends())('bulk import (%s)', (kind) => {
  let t: TestDesk;
  let workspaceId: string;
  let ctx: Ctx;
  const count = async (prefix: string) =>
    Number(
      (
        await t.desk.database.executeSql(
          `select count(*)::int as n from tickets where workspace_id = $1 and external_id like $2`,
          [workspaceId, `${prefix}-%`],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    t = await openTestDesk(kind);
    ({ workspaceId } = await newWorkspace(t));
    ctx = t.desk.ctx(workspaceId, { type: 'system', id: null });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports in chunks and keeps each ticket history (status, times, intent, messages, timeline)', async () => {
    const progress: number[] = [];
    const summary = await importText(t.desk, workspaceId, rows('a', 250), {
      kind: 'tickets',
      format: 'jsonl',
      chunkRows: 100,
      onProgress: (p) => progress.push(p.processed),
    });
    expect(summary).toMatchObject({ total: 250, created: 250, skipped: 0, rejected: 0 });
    expect(progress).toEqual([100, 200, 250]);
    expect(await count('a')).toBe(250);
    const { data } = await listTickets(ctx, { intent: 'billing', limit: 200 });
    const resolved = data.find((x) => x.externalId === 'a-3')!;
    const detail = await getTicketDetail(ctx, resolved.id);
    expect(detail).toMatchObject({ status: 'resolved', intent: 'billing', intentConfidence: null, channel: 'import' });
    expect(detail.createdAt.toISOString()).toBe('2025-01-01T00:03:00.000Z');
    expect(detail.firstResponseAt?.toISOString()).toBe('2025-01-01T00:13:00.000Z');
    expect(detail.resolvedAt?.toISOString()).toBe('2025-01-01T00:13:00.000Z');
    expect(detail.messages.map((m) => m.authorType)).toEqual(['customer', 'agent']);
    expect(detail.timeline.map((e) => e.type)).toEqual([
      'ticket.created',
      'message.created',
      'ticket.status_changed',
      'message.created',
      'ticket.intent_changed',
      'ticket.status_changed',
      'ticket.resolved',
    ]);
    expect(detail.customer).toMatchObject({ email: 'c3@a.test' });
    // Searchable like any ticket.
    expect((await listTickets(ctx, { q: 'invoices', limit: 5 })).data.length).toBe(5);
    // Nothing went to the outbox: the history is not news.
    expect(
      (await t.desk.database.executeSql('select count(*)::int as n from outbox where workspace_id = $1', [workspaceId]))
        .rows[0]!.n,
    ).toBe(0);
  });

  it('resumes an interrupted import after its last committed chunk, with its counts', async () => {
    const text = rows('b', 300);
    let chunks = 0;
    const crash = importText(t.desk, workspaceId, text, {
      kind: 'tickets',
      format: 'jsonl',
      chunkRows: 100,
      onProgress: () => {
        if (++chunks === 2) throw new Error('the process died');
      },
    });
    await expect(crash).rejects.toThrow('the process died');
    expect(await count('b')).toBe(200);
    const progress: number[] = [];
    const resumed = await importText(t.desk, workspaceId, text, {
      kind: 'tickets',
      format: 'jsonl',
      chunkRows: 100,
      onProgress: (p) => progress.push(p.processed),
    });
    expect(progress).toEqual([300]); // only the last chunk was written again
    expect(resumed).toMatchObject({ total: 300, created: 300, skipped: 0, rejected: 0 });
    expect(await count('b')).toBe(300);
    // Finished: the same file again skips every ticket (idempotent on externalId).
    expect(
      await importText(t.desk, workspaceId, text, { kind: 'tickets', format: 'jsonl', chunkRows: 100 }),
    ).toMatchObject({ created: 0, skipped: 300 });
  });

  it('rejects alone a row the database refuses, and rows repeated in a file are skipped', async () => {
    const lines = rows('c', 5).split('\n');
    lines[2] = JSON.stringify({ externalId: 'c-nul', subject: 'Nul', body: 'a\u0000b', customerEmail: 'nul@c.test' });
    lines.push(lines[0]!);
    const summary = await importText(t.desk, workspaceId, lines.join('\n'), { kind: 'tickets', format: 'jsonl' });
    expect(summary).toMatchObject({ total: 6, created: 4, skipped: 1, rejected: 1 });
    expect(summary.rejections.map((r) => r.line)).toEqual([3]);
    expect(await count('c')).toBe(4);
  });

  it('stores nothing in a dry run of tickets', async () => {
    const summary = await importText(t.desk, workspaceId, rows('d', 30), {
      kind: 'tickets',
      format: 'jsonl',
      chunkRows: 10,
      dryRun: true,
    });
    expect(summary).toMatchObject({ total: 30, created: 30 });
    expect(await count('d')).toBe(0);
    expect(
      (
        await t.desk.database.executeSql(`select count(*)::int as n from import_runs where workspace_id = $1`, [
          workspaceId,
        ])
      ).rows[0]!.n,
    ).toBe(0);
  });

  it('imports a Zendesk API export with its requester and public comments', async () => {
    const zendesk = JSON.stringify({
      tickets: [
        {
          id: 101,
          subject: 'Cannot log in',
          description: 'I cannot log in since yesterday',
          status: 'solved',
          priority: 'high',
          tags: ['login', 'sso'],
          created_at: '2025-02-01T08:00:00Z',
          requester_id: 9,
          via: { channel: 'email' },
          comments: [
            { author_id: 9, body: 'I cannot log in since yesterday', public: true, created_at: '2025-02-01T08:00:00Z' },
            { author_id: 500, body: 'Internal: check SSO', public: false, created_at: '2025-02-01T08:05:00Z' },
            { author_id: 500, body: 'Please reset your password', public: true, created_at: '2025-02-01T09:00:00Z' },
          ],
        },
        {
          id: 102,
          subject: 'Held',
          description: 'On hold',
          status: 'hold',
          requester_id: 9,
          created_at: '2025-02-02T08:00:00Z',
        },
        { subject: 'no id' },
      ],
      users: [{ id: 9, email: 'grace@zd.test', name: 'Grace' }],
    });
    const summary = await importText(t.desk, workspaceId, zendeskToJsonl(zendesk), {
      kind: 'tickets',
      format: 'jsonl',
    });
    expect(summary).toMatchObject({ total: 3, created: 2, rejected: 1 });
    const { data } = await listTickets(ctx, { tag: 'sso', limit: 5 });
    const detail = await getTicketDetail(ctx, data[0]!.id);
    expect(detail).toMatchObject({
      externalId: 'zendesk-101',
      status: 'resolved',
      priority: 'high',
      channel: 'email',
      tags: ['login', 'sso'],
    });
    expect(detail.customer).toMatchObject({ email: 'grace@zd.test', name: 'Grace', externalId: 'zendesk-user-9' });
    expect(detail.messages.map((m) => [m.authorType, m.text])).toEqual([
      ['customer', 'I cannot log in since yesterday'],
      ['agent', 'Please reset your password'],
    ]);
    expect(detail.firstResponseAt?.toISOString()).toBe('2025-02-01T09:00:00.000Z');
    const held = (await listTickets(ctx, { status: ['pending'], limit: 50 })).data.find(
      (x) => x.externalId === 'zendesk-102',
    );
    expect(held).toBeDefined();
  });
});
