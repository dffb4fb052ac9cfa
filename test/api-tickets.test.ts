import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

describe.each(backends())('tickets API on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    ws = await newWorkspace(t);
  });
  afterAll(async () => t?.close());

  const newTicket = (over: Record<string, unknown> = {}) => ({
    subject: 'Cannot export my data',
    message: { text: 'The CSV export button does nothing on the reports page.' },
    customer: { email: 'jane@example.com', name: 'Jane' },
    ...over,
  });

  it('creates a ticket with its first message and customer', async () => {
    const res = await ws.call(
      'POST',
      '/api/v1/tickets',
      newTicket({ pageContext: { url: 'https://app.example/reports', featureId: 'reports' } }),
    );
    expect(res.status).toBe(201);
    expect(res.body.ticket).toMatchObject({
      subject: 'Cannot export my data',
      status: 'new',
      priority: 'normal',
      channel: 'api',
    });
    expect(res.body.ticket.pageContext).toEqual({ url: 'https://app.example/reports', featureId: 'reports' });
    expect(res.body.message).toMatchObject({
      authorType: 'customer',
      visibility: 'public',
      text: 'The CSV export button does nothing on the reports page.',
    });
    const detail = await ws.call('GET', `/api/v1/tickets/${res.body.ticket.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.customer).toMatchObject({ email: 'jane@example.com', name: 'Jane' });
    expect(detail.body.messages).toHaveLength(1);
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toEqual(['ticket.created', 'message.created']);
    expect(detail.body.timeline[1].actorType).toBe('customer');
  });

  it('runs the pipeline and records an explained decision', async () => {
    const res = await ws.call(
      'POST',
      '/api/v1/tickets',
      newTicket({
        subject: 'Refund please',
        message: { text: 'I was charged twice for my subscription this month, please refund the duplicate invoice.' },
      }),
    );
    await t.desk.runPipeline(ws.workspaceId, res.body.ticket.id, 'created');
    const detail = await ws.call('GET', `/api/v1/tickets/${res.body.ticket.id}`);
    const stages = detail.body.decisions.map((d: { stage: string }) => d.stage);
    expect(stages).toEqual(['enrich', 'understand', 'retrieve', 'decide', 'resolve', 'route']);
    const understand = detail.body.decisions[1];
    expect(understand.ok).toBe(true);
    expect(understand.result.sentiment).toBeDefined();
    expect(understand.result.language.language).toBe('en');
    const decide = detail.body.decisions[3].result;
    expect(decide.decision).toBe('hand_off');
    expect(decide.checks.length).toBeGreaterThan(0);
    expect(detail.body.status).toBe('open');
    expect(
      detail.body.timeline.some(
        (e: { type: string; actorType: string }) => e.type === 'ticket.handed_off' && e.actorType === 'assistant',
      ),
    ).toBe(true);
  });

  it('lists with filters, full-text search and cursor pagination', async () => {
    for (let i = 0; i < 5; i++) {
      await ws.call(
        'POST',
        '/api/v1/tickets',
        newTicket({
          subject: `Invoice question ${i}`,
          tags: ['billing'],
          message: { text: `Where is invoice number ${i}?` },
        }),
      );
    }
    const tagged = await ws.call('GET', '/api/v1/tickets?tag=billing&limit=2');
    expect(tagged.status).toBe(200);
    expect(tagged.body.data).toHaveLength(2);
    const seen = new Set(tagged.body.data.map((x: { id: string }) => x.id));
    let cursor = tagged.body.nextCursor;
    while (cursor) {
      const page = await ws.call('GET', `/api/v1/tickets?tag=billing&limit=2&cursor=${cursor}`);
      for (const x of page.body.data) {
        expect(seen.has(x.id)).toBe(false);
        seen.add(x.id);
      }
      cursor = page.body.nextCursor;
    }
    expect(seen.size).toBe(5);
    const search = await ws.call('GET', '/api/v1/tickets?q=invoices%20numbers');
    expect(search.body.data.length).toBe(5);
    const none = await ws.call('GET', '/api/v1/tickets?q=zebra');
    expect(none.body.data).toEqual([]);
    const byStatus = await ws.call('GET', '/api/v1/tickets?status=closed');
    expect(byStatus.body.data).toEqual([]);
  });

  it('lists the tickets behind an insight: given ids, or a topic', async () => {
    const opened: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await ws.call('POST', '/api/v1/tickets', newTicket({ subject: `Drill-down ${i}` }));
      opened.push(res.body.ticket.id);
    }
    const [a, b, c, d] = opened as [string, string, string, string];
    const sql = t.desk.database.executeSql;
    // One minute apart, in the order they were opened (the list is newest first).
    for (const [i, id] of opened.entries()) {
      await sql(`update tickets set created_at = now() - make_interval(mins => $2) where id = $1`, [id, 10 - i]);
    }
    const byIds = await ws.call('GET', `/api/v1/tickets?ids=${a},${c}`);
    expect(byIds.status).toBe(200);
    expect(byIds.body.data.map((x: { id: string }) => x.id)).toEqual([c, a]);
    const [topic] = (
      await sql(
        `insert into insight_topics (workspace_id, label, centroid, embedder, first_seen_at, last_seen_at)
         values ($1, 'exports', '{1,0}', 'test', now(), now()) returning id`,
        [ws.workspaceId],
      )
    ).rows;
    const topicId = String(topic!.id);
    for (const id of [b, c, d]) {
      await sql(
        `insert into ticket_topics (ticket_id, workspace_id, topic_id, similarity, assigned_at)
         values ($1, $2, $3, 0.9, now())`,
        [id, ws.workspaceId, topicId],
      );
    }
    const first = await ws.call('GET', `/api/v1/tickets?topicId=${topicId}&limit=2`);
    expect(first.body.data.map((x: { id: string }) => x.id)).toEqual([d, c]);
    const next = await ws.call('GET', `/api/v1/tickets?topicId=${topicId}&limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body.data.map((x: { id: string }) => x.id)).toEqual([b]);
    expect(next.body.nextCursor).toBeNull();
    const both = await ws.call('GET', `/api/v1/tickets?topicId=${topicId}&ids=${a},${b}`);
    expect(both.body.data.map((x: { id: string }) => x.id)).toEqual([b]);
    const updated = await ws.call('GET', `/api/v1/tickets?topicId=${topicId}&sort=updated`);
    expect(updated.body.data.map((x: { id: string }) => x.id).sort()).toEqual([b, c, d].sort());
  });

  it('refuses too many ids, ids that are not uuids, and a topic that is not a uuid, with problem+json', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const url of [
      `/api/v1/tickets?ids=${many.join(',')}`,
      '/api/v1/tickets?ids=123',
      '/api/v1/tickets?ids=',
      '/api/v1/tickets?topicId=billing',
    ]) {
      const res = await ws.call('GET', url);
      expect(res.status, url).toBe(400);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
      expect(res.body.code, url).toBe('validation_failed');
    }
    expect((await ws.call('GET', `/api/v1/tickets?ids=${many.slice(0, 100).join(',')}`)).status).toBe(200);
  });

  it('reopens a resolved ticket when the customer writes again', async () => {
    const { body } = await ws.call('POST', '/api/v1/tickets', newTicket());
    const id = body.ticket.id;
    expect((await ws.call('PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' })).body.status).toBe('resolved');
    const reply = await ws.call('POST', `/api/v1/tickets/${id}/messages`, { text: 'It is broken again' });
    expect(reply.status).toBe(201);
    expect(reply.body.ticket).toMatchObject({ status: 'open', reopenCount: 1, resolvedAt: null });
    const detail = await ws.call('GET', `/api/v1/tickets/${id}`);
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toContain('ticket.reopened');
  });

  it('refuses an invalid transition with problem+json', async () => {
    const { body } = await ws.call('POST', '/api/v1/tickets', newTicket());
    const res = await ws.call('PATCH', `/api/v1/tickets/${body.ticket.id}`, { status: 'closed' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'invalid_transition', status: 409 });
  });
});
