import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveBus, type LiveEvent } from '../src/live/bus.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';
import { waitFor } from './helpers-wait.js';

/**
 * Reads Server-Sent Events from a live HTTP response until `until` accepts the events seen so far. No deadline of
 * its own: the test's timeout ends a stream that never brings them.
 */
async function readEvents(res: Response, until: (events: any[]) => boolean): Promise<any[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: any[] = [];
  let buffer = '';
  try {
    while (!until(events)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data) events.push(JSON.parse(data));
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}

describe.each(backends())('widget API and live updates on %s', (kind) => {
  let t: TestDesk;
  let a: Awaited<ReturnType<typeof newWorkspace>>;
  let b: Awaited<ReturnType<typeof newWorkspace>>;
  let widgetA: { publicId: string; secret: string };
  let widgetB: { publicId: string; secret: string };
  let base: string;

  const widget = async (method: 'GET' | 'POST' | 'OPTIONS', url: string, body?: unknown, token?: string) => {
    const res = await t.server.inject({
      method,
      url: `/api/v1/widget${url}`,
      headers: token ? { 'x-deskmind-widget-token': token } : {},
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : null, headers: res.headers };
  };
  const hash = (secret: string, userId: string) => createHmac('sha256', secret).update(userId).digest('hex');

  beforeAll(async () => {
    t = await openTestDesk(kind);
    a = await newWorkspace(t, 'A');
    b = await newWorkspace(t, 'B');
    widgetA = (await a.call('GET', '/api/v1/settings/widget')).body;
    widgetB = (await b.call('GET', '/api/v1/settings/widget')).body;
    base = await t.server.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t?.close());

  it('gives each workspace a stable public id and secret, admin only', async () => {
    expect(widgetA.publicId).toMatch(/^wgt_[0-9a-f]{24}$/);
    expect(widgetA.publicId).not.toBe(widgetB.publicId);
    expect((await a.call('GET', '/api/v1/settings/widget')).body.publicId).toBe(widgetA.publicId);
    const agentKey = (await a.call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' })).body.secret;
    const asAgent = await t.server.inject({
      method: 'GET',
      url: '/api/v1/settings/widget',
      headers: { authorization: `Bearer ${agentKey}` },
    });
    expect(asAgent.statusCode).toBe(403);
  });

  it('verifies identities: a wrong hash is refused, a right one is that customer', async () => {
    const wrong = await widget('POST', '/session', {
      widgetId: widgetA.publicId,
      userId: 'u-42',
      userHash: hash(widgetB.secret, 'u-42'),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.body.code).toBe('identity_unverified');
    const right = await widget('POST', '/session', {
      widgetId: widgetA.publicId,
      userId: 'u-42',
      userHash: hash(widgetA.secret, 'u-42'),
      name: 'Kim',
    });
    expect(right.status).toBe(200);
    expect(right.body.verified).toBe(true);
    const customer = await a.call('GET', `/api/v1/customers/${right.body.customerId}`);
    expect(customer.body).toMatchObject({ externalId: 'u-42', name: 'Kim' });
    // Without a hash the user id is not trusted: an anonymous visitor, never customer u-42.
    const claimed = await widget('POST', '/session', {
      widgetId: widgetA.publicId,
      userId: 'u-42',
      visitorId: 'visitor-abcdefghijklmnop',
    });
    expect(claimed.status).toBe(200);
    expect(claimed.body.verified).toBe(false);
    expect(claimed.body.customerId).not.toBe(right.body.customerId);
    // With identity verification required, unverified visitors are refused.
    expect((await a.call('PATCH', '/api/v1/settings/widget', { identityRequired: true })).body.identityRequired).toBe(
      true,
    );
    const refused = await widget('POST', '/session', {
      widgetId: widgetA.publicId,
      userId: 'u-42',
      visitorId: 'visitor-abcdefghijklmnop',
    });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('identity_unverified');
    expect(
      (await widget('POST', '/session', { widgetId: widgetA.publicId, visitorId: 'visitor-abcdefghijklmnop' })).body
        .code,
    ).toBe('identity_unverified');
    expect(
      (
        await widget('POST', '/session', {
          widgetId: widgetA.publicId,
          userId: 'u-42',
          userHash: hash(widgetA.secret, 'u-42'),
        })
      ).status,
    ).toBe(200);
    await a.call('PATCH', '/api/v1/settings/widget', { identityRequired: false });
    expect(
      (await widget('POST', '/session', { widgetId: 'wgt_unknown', visitorId: 'visitor-abcdefghijklmnop' })).status,
    ).toBe(401);
  });

  it('applies identityRequired to sessions opened before it was turned on', async () => {
    const anonymous = (
      await widget('POST', '/session', { widgetId: widgetA.publicId, visitorId: 'visitor-before-the-change' })
    ).body.token;
    const verified = (
      await widget('POST', '/session', {
        widgetId: widgetA.publicId,
        userId: 'u-7',
        userHash: hash(widgetA.secret, 'u-7'),
      })
    ).body.token;
    expect((await widget('POST', '/tickets', { text: 'Before the change' }, anonymous)).status).toBe(201);
    await a.call('PATCH', '/api/v1/settings/widget', { identityRequired: true });
    try {
      const before = (await a.call('GET', '/api/v1/tickets?limit=100')).body.data.length;
      for (const [method, url, body] of [
        ['POST', '/tickets', { text: 'After the change' }],
        ['GET', '/tickets', undefined],
      ] as const) {
        const refused = await widget(method, url, body, anonymous);
        expect(refused.status, `${method} ${url}`).toBe(401);
        expect(refused.body.code).toBe('identity_unverified');
      }
      expect((await a.call('GET', '/api/v1/tickets?limit=100')).body.data.length).toBe(before);
      expect((await widget('POST', '/tickets', { text: 'Verified, after the change' }, verified)).status).toBe(201);
    } finally {
      await a.call('PATCH', '/api/v1/settings/widget', { identityRequired: false });
    }
    expect((await widget('GET', '/tickets', undefined, anonymous)).status).toBe(200);
  });

  it(
    'honours Idempotency-Key on the widget: a retry never makes a second ticket, and keys are per ' + 'visitor',
    async () => {
      const open = async (visitorId: string) =>
        (await widget('POST', '/session', { widgetId: widgetA.publicId, visitorId })).body.token as string;
      const [one, two] = [await open('visitor-idempotent-one'), await open('visitor-idempotent-two')];
      const post = (token: string) =>
        t.server.inject({
          method: 'POST',
          url: '/api/v1/widget/tickets',
          headers: { 'x-deskmind-widget-token': token, 'idempotency-key': 'same-key-1' },
          payload: { text: 'Retried after a 503' },
        });
      const first = await post(one);
      expect(first.statusCode).toBe(201);
      const retry = await post(one);
      expect(retry.statusCode).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json().id).toBe(first.json().id);
      const other = await post(two);
      expect(other.statusCode).toBe(201);
      expect(other.json().id).not.toBe(first.json().id);
      expect(
        (await widget('GET', '/tickets', undefined, one)).body.data.filter(
          (x: any) => x.subject === 'Retried after a 503',
        ),
      ).toHaveLength(1);
      expect(String((await widget('OPTIONS', '/tickets')).headers['access-control-allow-headers'])).toContain(
        'idempotency-key',
      );
    },
  );

  it('lets a visitor see only their own tickets, with public messages only', async () => {
    const kim = (
      await widget('POST', '/session', {
        widgetId: widgetA.publicId,
        userId: 'kim',
        userHash: hash(widgetA.secret, 'kim'),
      })
    ).body.token;
    const lee = (
      await widget('POST', '/session', {
        widgetId: widgetA.publicId,
        userId: 'lee',
        userHash: hash(widgetA.secret, 'lee'),
      })
    ).body.token;
    const created = await widget(
      'POST',
      '/tickets',
      {
        text: 'The export button does nothing',
        pageContext: {
          url: 'https://app.example/runs',
          route: '/runs',
          features: ['runs', 'export'],
          appVersion: '4.2.0',
          recentErrors: ['TypeError: x is undefined'],
        },
      },
      kim,
    );
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe('*');
    const id = created.body.id;
    const detail = await a.call('GET', `/api/v1/tickets/${id}`);
    expect(detail.body).toMatchObject({
      channel: 'widget',
      pageContext: { route: '/runs', features: ['runs', 'export'], appVersion: '4.2.0' },
    });
    await a.call('POST', `/api/v1/tickets/${id}/messages`, {
      text: 'internal only',
      visibility: 'internal',
      authorType: 'agent',
    });
    await a.call('POST', `/api/v1/tickets/${id}/messages`, { text: 'We are on it', authorType: 'agent' });
    const seen = await widget('GET', `/tickets/${id}`, undefined, kim);
    expect(seen.body.messages.map((m: any) => m.text)).toEqual(['The export button does nothing', 'We are on it']);
    expect((await widget('GET', `/tickets/${id}`, undefined, lee)).status).toBe(404);
    expect((await widget('POST', `/tickets/${id}/messages`, { text: 'hijack' }, lee)).status).toBe(404);
    expect((await widget('GET', `/tickets/${id}`)).status).toBe(401);
    expect((await widget('GET', `/tickets/${id}`, undefined, `${kim.split('.')[0]}.forged`)).status).toBe(401);
    // A session of workspace B never reaches A's ticket.
    const other = (
      await widget('POST', '/session', {
        widgetId: widgetB.publicId,
        userId: 'kim',
        userHash: hash(widgetB.secret, 'kim'),
      })
    ).body.token;
    expect((await widget('GET', `/tickets/${id}`, undefined, other)).status).toBe(404);
    const feedback = await widget('POST', `/tickets/${id}/feedback`, { outcome: 'need_human' }, kim);
    expect(feedback.body.humanRequested).toBe(true);
    const preflight = await widget('OPTIONS', '/tickets');
    expect(preflight.status).toBe(204);
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('x-deskmind-widget-token');
    // Rotating the secret ends the sessions it signed.
    await a.call('POST', '/api/v1/settings/widget/rotate');
    expect((await widget('GET', '/tickets', undefined, kim)).status).toBe(401);
    widgetA = (await a.call('GET', '/api/v1/settings/widget')).body;
  });

  it(
    'tells the visitor what happens next: thinking, a person will answer (by the SLA), replied, resolved, ' +
      'reopened',
    async () => {
      const sam = (
        await widget('POST', '/session', { widgetId: widgetA.publicId, visitorId: 'visitor-sam-0123456789abcdef' })
      ).body.token;
      const created = await widget('POST', '/tickets', { text: 'My pipeline runs are stuck in the queue' }, sam);
      expect(created.body).toMatchObject({ state: 'thinking', reopened: false, expectedReplyBy: null });
      const id = created.body.id;
      // Handed to a person (the pipeline opens a handed-off ticket): the widget knows when a reply is due.
      await a.call('PATCH', `/api/v1/tickets/${id}`, { status: 'open' });
      const handedOff = (await widget('GET', `/tickets/${id}`, undefined, sam)).body;
      const sla = (await a.call('GET', `/api/v1/tickets/${id}/sla`)).body;
      expect(handedOff).toMatchObject({ state: 'awaiting_person', reopened: false });
      expect(handedOff.expectedReplyBy).toBe(sla.firstResponse.dueAt);
      expect(handedOff.expectedReplyBy).not.toBeNull();
      await a.call('POST', `/api/v1/tickets/${id}/messages`, { text: 'Looking into it now', authorType: 'agent' });
      expect((await widget('GET', `/tickets/${id}`, undefined, sam)).body).toMatchObject({
        state: 'replied',
        expectedReplyBy: null,
      });
      await a.call('PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' });
      expect((await widget('GET', `/tickets/${id}`, undefined, sam)).body.state).toBe('resolved');
      const again = await widget('POST', `/tickets/${id}/messages`, { text: 'Still stuck, sorry' }, sam);
      expect(again.body).toMatchObject({ state: 'awaiting_person', reopened: true, status: 'open' });
    },
  );

  it('announces committed events on the live bus, never rolled-back ones', async () => {
    const seen: LiveEvent[] = [];
    const stop = await t.desk.live.subscribe(a.workspaceId, (e) => seen.push(e));
    const otherSeen: LiveEvent[] = [];
    const stopOther = await t.desk.live.subscribe(b.workspaceId, (e) => otherSeen.push(e));
    try {
      const created = await a.call('POST', '/api/v1/tickets', {
        subject: 'Live',
        message: { text: 'hello' },
        customer: { email: 'live@example.com' },
      });
      const rolledBack = await a.call('PATCH', `/api/v1/tickets/${created.body.ticket.id}`, { status: 'closed' });
      expect(rolledBack.status).toBe(409);
      const types = () => seen.filter((e) => e.ticketId === created.body.ticket.id).map((e) => e.type);
      await waitFor(() => types().includes('ticket.created') && types().includes('message.created'));
      expect(seen.find((e) => e.type === 'message.created')).toMatchObject({
        authorType: 'customer',
        visibility: 'public',
      });
      expect(seen.some((e) => e.type === 'ticket.status_changed' && e.ticketId === created.body.ticket.id)).toBe(false);
      expect(otherSeen).toEqual([]);
    } finally {
      stop();
      stopOther();
    }
  });

  it('fans events out to every listener connection, as another process would hear them', async () => {
    const other = new LiveBus(t.desk.database); // its own LISTEN (a dedicated connection on a server)
    const seen: LiveEvent[] = [];
    try {
      const stop = await other.subscribe(a.workspaceId, (e) => seen.push(e));
      const created = await a.call('POST', '/api/v1/tickets', {
        subject: 'Fan out',
        message: { text: 'hello' },
        customer: { email: 'fan@example.com' },
      });
      await waitFor(() => seen.some((e) => e.ticketId === created.body.ticket.id && e.type === 'ticket.created'));
      stop();
      expect(other.size).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("streams the workspace events to the console and a ticket's to its visitor, over SSE", async () => {
    const res = await fetch(`${base}/api/v1/stream`, { headers: { authorization: `Bearer ${a.apiKey}` } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const kim = (
      await widget('POST', '/session', {
        widgetId: widgetA.publicId,
        userId: 'kim',
        userHash: hash(widgetA.secret, 'kim'),
      })
    ).body.token;
    const ticket = (await widget('POST', '/tickets', { text: 'Where is my invoice?' }, kim)).body;
    const visitor = await fetch(`${base}/api/v1/widget/tickets/${ticket.id}/stream?token=${encodeURIComponent(kim)}`);
    expect(visitor.headers.get('access-control-allow-origin')).toBe('*');
    const events = await readEvents(res, (es) =>
      es.some((e) => e.ticketId === ticket.id && e.type === 'message.created'),
    );
    expect(events.every((e) => e.workspaceId === a.workspaceId)).toBe(true);
    await a.call('POST', `/api/v1/tickets/${ticket.id}/messages`, {
      text: 'a note',
      visibility: 'internal',
      authorType: 'agent',
    });
    await a.call('POST', `/api/v1/tickets/${ticket.id}/messages`, { text: 'Here it is', authorType: 'agent' });
    const visible = await readEvents(visitor, (es) => es.some((e) => e.type === 'message.created'));
    expect(visible.filter((e) => e.type === 'message.created')).toHaveLength(1);
    const unauth = await fetch(`${base}/api/v1/stream`);
    expect(unauth.status).toBe(401);
    const stranger = await fetch(`${base}/api/v1/widget/tickets/${ticket.id}/stream?token=nope`);
    expect(stranger.status).toBe(401);
  });
});
