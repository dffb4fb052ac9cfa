import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketCreateSchema } from '../src/domain/schemas.js';
import { idempotencyHash } from '../src/server/idempotency.js';
import { ApiKeyCache } from '../src/people/authenticate-api-key.js';
import { backends, newWorkspace, openTestDesk, sessionHeaders, type TestDesk } from './helpers.js';

const ticketBody = { subject: 'Help', message: { text: 'Something is wrong' }, customer: { email: 'a@example.com' } };

describe.each(backends())('API safety on %s', (kind) => {
  let t: TestDesk;
  let a: Awaited<ReturnType<typeof newWorkspace>>;
  let b: Awaited<ReturnType<typeof newWorkspace>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestDesk(kind);
    a = await newWorkspace(t, 'A');
    b = await newWorkspace(t, 'B');
    const ticket = await a.call('POST', '/api/v1/tickets', ticketBody);
    ids.ticket = ticket.body.ticket.id;
    ids.customer = ticket.body.ticket.customerId;
    ids.ticket2 = (await a.call('POST', '/api/v1/tickets', ticketBody)).body.ticket.id;
    ids.macro = (await a.call('POST', '/api/v1/macros', { name: 'Hello', body: 'Hi {{customer.firstName}}' })).body.id;
    ids.account = (await a.call('POST', '/api/v1/accounts', { name: 'Acme', externalId: 'acme' })).body.id;
    ids.team = (await a.call('POST', '/api/v1/teams', { name: 'Billing' })).body.id;
    ids.agent = (
      await a.call('POST', '/api/v1/agents', { name: 'Ann', email: 'ann@a.example', password: 'correct horse' })
    ).body.id;
    ids.apiKey = (await a.call('POST', '/api/v1/api-keys', { name: 'k', role: 'agent' })).body.key.id;
    ids.article = (
      await a.call('POST', '/api/v1/articles', { title: 'Reset', body: 'Click Forgot password.' })
    ).body.id;
    await a.call('PUT', '/api/v1/playbooks/password_reset', { kind: 'handoff' });
    ids.rule = (
      await a.call('POST', '/api/v1/routing/rules', {
        name: 'VIP',
        conditions: { tier: ['enterprise'] },
        teamId: ids.team,
      })
    ).body.id;
    // Channels: a webhook endpoint with a delivery, and an inbound email with an attachment.
    ids.webhooks = (
      await a.call('POST', '/api/v1/webhooks', { url: 'https://hooks.a.example/in', eventTypes: ['settings.changed'] })
    ).body.id;
    await a.call('PATCH', '/api/v1/settings/email', { inboundAddress: 'help@a.example' });
    ids.deliveries = (await a.call('GET', '/api/v1/deliveries')).body.data[0].id;
    const mail = [
      'From: kim@example.com',
      'To: help@a.example',
      'Subject: Mail',
      'Message-ID: <sec-1@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Hello',
      '--b',
      'Content-Type: text/plain; name="a.txt"',
      'Content-Disposition: attachment; filename="a.txt"',
      '',
      'file',
      '--b--',
      '',
    ].join('\r\n');
    const [received] = await t.desk.receiveEmail(Buffer.from(mail), ['help@a.example']);
    ids.emails = received!.status === 'created' ? received!.emailId : 'x';
    ids.attachments = (
      await a.call('GET', `/api/v1/tickets/${(received as { ticketId: string }).ticketId}/attachments`)
    ).body.data[0].id;
    await a.call('PATCH', `/api/v1/tickets/${ids.ticket2}`, { intent: 'bug_report' });
    ids.bugReport = (await a.call('POST', '/api/v1/insights/bug-reports/refresh')).body.changed[0];
    await a.call('PATCH', '/api/v1/integrations/settings', {
      stripe: { webhookSecret: 'whsec_workspace_a_0001' },
      crm: { webhookSecret: 'crm_workspace_a_0001' },
    });
  });
  afterAll(async () => t?.close());

  const countRows = async () => {
    const { rows } = await t.desk.database.executeSql(
      `select (select count(*) from tickets)::int t, (select count(*) from messages)::int m, (select count(*) ` +
        `from customers)::int c,
              (select count(*) from accounts)::int a, (select count(*) from agents)::int ag, ` +
        `(select count(*) from teams)::int te,
              (select count(*) from events)::int e, (select count(*) from api_keys where revoked_at is null)::int k,
              (select string_agg(status || priority || coalesce(subject,''), ',') from tickets) s`,
    );
    return rows[0]!;
  };

  it('never lets a key of workspace B read or change anything of workspace A, on any route', async () => {
    const doc = (await t.server.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const before = await countRows();
    const bodies: Record<string, Record<string, unknown>> = {
      tickets: { post: { text: 'hi' }, patch: { status: 'resolved', subject: 'hijacked', priority: 'urgent' } },
      customers: { patch: { name: 'hijacked' }, put: { name: 'x' } },
      accounts: { patch: { name: 'hijacked' }, put: { name: 'x' } },
      agents: { patch: { name: 'hijacked' } },
      teams: { patch: { name: 'hijacked' } },
      articles: { patch: { title: 'hijacked' } },
      rules: { patch: { name: 'hijacked' } },
      playbooks: { put: { kind: 'answer', mode: 'auto' } },
      webhooks: { patch: { url: 'https://hijack.example/x', enabled: false } },
    };
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.includes('{')) continue;
      for (const method of Object.keys(methods)) {
        const resource = path.startsWith('/api/v1/routing/rules') ? 'rules' : path.split('/')[3]!;
        const id = {
          tickets: ids.ticket,
          customers: ids.customer,
          accounts: ids.account,
          teams: ids.team,
          agents: ids.agent,
          'api-keys': ids.apiKey,
          articles: ids.article,
          rules: ids.rule,
          macros: ids.macro,
          webhooks: ids.webhooks,
          deliveries: ids.deliveries,
          attachments: ids.attachments,
          emails: ids.emails,
          insights: ids.bugReport,
        }[resource];
        const url = path
          .replace('{workspaceId}', a.workspaceId)
          .replace('{id}', id ?? 'x')
          .replace('{externalId}', 'acme')
          .replace('{version}', '1')
          .replace('{intent}', 'password_reset')
          .replace('{macroId}', '00000000-0000-4000-8000-000000000001');
        const bySuffix: Record<string, unknown> = {
          feedback: { outcome: 'solved' },
          approve: {},
          presence: { status: 'offline' },
          claim: { agentId: ids.agent },
          merge: { into: ids.ticket2 },
          'ai-feedback': { verdict: 'wrong' },
          'handoff-verdict': { verdict: 'had_what_i_needed' },
          '{macroId}': {},
          csat: { rating: 1 },
        };
        if (resource === 'widget') {
          // The widget API: a visitor session of workspace B never reaches A's tickets.
          if (method === 'options') continue;
          const widgetB = (await b.call('GET', '/api/v1/settings/widget')).body;
          const session = await t.server.inject({
            method: 'POST',
            url: '/api/v1/widget/session',
            payload: { widgetId: widgetB.publicId, visitorId: 'security-test-visitor-1' },
          });
          const token = session.json().token as string;
          const widgetUrl =
            path.replace('{id}', ids.ticket!) + (path.endsWith('/stream') ? `?token=${encodeURIComponent(token)}` : '');
          const body = { messages: { text: 'hi' }, feedback: { outcome: 'need_human' } }[path.split('/').at(-1)!];
          const res = await t.server.inject({
            method: method.toUpperCase() as 'GET',
            url: widgetUrl,
            headers: { 'x-deskmind-widget-token': token },
            ...(body ? { payload: body } : {}),
          });
          expect(res.statusCode, `${method} ${widgetUrl}`).toBe(404);
          expect(res.json().code).toBe('not_found');
          checked++;
          continue;
        }
        const res = await b.call(
          method.toUpperCase() as 'GET',
          url,
          bySuffix[path.split('/').at(-1)!] ?? bodies[resource]?.[method],
        );
        if (path.startsWith('/api/v1/integrations/') && path.includes('{workspaceId}')) {
          // Signed webhooks of A: B's key opens nothing, an unsigned delivery is refused.
          expect(res.status, `${method} ${url}`).toBe(400);
          expect(res.body.code).toBe('webhook_signature_invalid');
        } else if (resource === 'playbooks') {
          // Playbooks are keyed by intent inside a workspace: B works on its own; A's is checked below.
          expect(res.status, `${method} ${url}`).toBeLessThan(500);
        } else if (path.includes('{externalId}')) {
          // An upsert by external id in B creates B's own record, never touching A's.
          expect(res.status, `${method} ${url}`).toBeLessThan(300);
          const mine = res.body;
          expect(mine.id).not.toBe(ids.account);
          expect(mine.id).not.toBe(ids.customer);
        } else {
          expect(res.status, `${method} ${url}`).toBe(404);
          expect(res.body.code).toBe('not_found');
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
    const after = await countRows();
    // Only B's upserts added rows; nothing of A changed.
    expect(after.t).toBe(before.t);
    expect(after.s).toBe(before.s);
    expect(after.ag).toBe(before.ag);
    expect(after.k).toBe(before.k);
    expect((await a.call('GET', '/api/v1/playbooks/password_reset')).body.kind).toBe('handoff');
    expect((await a.call('GET', `/api/v1/webhooks/${ids.webhooks}`)).body).toMatchObject({
      url: 'https://hooks.a.example/in',
      enabled: true,
    });
    expect((await a.call('GET', `/api/v1/deliveries/${ids.deliveries}`)).body.status).toBe('pending');
    const aTicket = await a.call('GET', `/api/v1/tickets/${ids.ticket}`);
    expect(aTicket.body.subject).toBe('Help');
    // Lists in B show nothing of A.
    for (const list of ['tickets', 'customers', 'accounts', 'agents', 'teams']) {
      const res = await b.call('GET', `/api/v1/${list}`);
      const listed = res.body.data.map((x: { id: string }) => x.id);
      expect(listed).not.toContain(ids[list.slice(0, -1)]);
    }
    expect((await b.call('GET', '/api/v1/webhooks')).body.data.map((x: { id: string }) => x.id)).not.toContain(
      ids.webhooks,
    );
    expect((await b.call('GET', '/api/v1/deliveries')).body.data.map((x: { id: string }) => x.id)).not.toContain(
      ids.deliveries,
    );
    // Assigning A's agent to B's ticket is refused too.
    const bt = await b.call('POST', '/api/v1/tickets', ticketBody);
    expect((await b.call('PATCH', `/api/v1/tickets/${bt.body.ticket.id}`, { assigneeId: ids.agent })).status).toBe(404);
    expect((await b.call('PATCH', `/api/v1/tickets/${bt.body.ticket.id}`, { teamId: ids.team })).status).toBe(404);
  });

  it('answers bad input with problem+json and changes nothing', async () => {
    const before = await countRows();
    const cases: { name: string; payload: string | Buffer; type?: string; status: number; code: string }[] = [
      {
        name: 'wrong types',
        payload: JSON.stringify({ ...ticketBody, subject: 42 }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'unknown field',
        payload: JSON.stringify({ ...ticketBody, sneaky: true }),
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'missing customer',
        payload: JSON.stringify({ subject: 'x', message: { text: 'y' }, customer: {} }),
        status: 400,
        code: 'validation_failed',
      },
      { name: 'broken JSON', payload: '{"subject": ', status: 400, code: 'invalid_json' },
      {
        name: 'invalid UTF-8',
        payload: Buffer.concat([
          Buffer.from('{"subject":"'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('","message":{"text":"x"},"customer":{"email":"a@b.example"}}'),
        ]),
        status: 400,
        code: 'invalid_utf8',
      },
      {
        name: 'over 1 MB',
        payload: JSON.stringify({ ...ticketBody, message: { text: 'x'.repeat(1_100_000) } }),
        status: 413,
        code: 'payload_too_large',
      },
      {
        name: 'script in HTML',
        payload: JSON.stringify({ ...ticketBody, message: { html: '<p>hi</p><script>alert(1)</script>' } }),
        status: 422,
        code: 'unsafe_html',
      },
      {
        name: 'event handler in HTML',
        payload: JSON.stringify({ ...ticketBody, message: { html: '<img src=x onerror="alert(1)">' } }),
        status: 422,
        code: 'unsafe_html',
      },
      {
        name: 'not JSON',
        payload: 'subject=x',
        type: 'application/x-www-form-urlencoded',
        status: 415,
        code: 'unsupported_media_type',
      },
    ];
    for (const c of cases) {
      const res = await t.server.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': c.type ?? 'application/json' },
        payload: c.payload,
      });
      expect(res.statusCode, c.name).toBe(c.status);
      expect(res.headers['content-type'], c.name).toContain('application/problem+json');
      expect(res.json().code, c.name).toBe(c.code);
    }
    const unknownId = await a.call('GET', '/api/v1/tickets/00000000-0000-4000-8000-000000000000');
    expect(unknownId.status).toBe(404);
    const notUuid = await a.call('GET', '/api/v1/tickets/123');
    expect(notUuid.body.code).toBe('validation_failed');
    const badQuery = await a.call('GET', '/api/v1/tickets?status=bogus');
    expect(badQuery.status).toBe(400);
    const badCursor = await a.call('GET', '/api/v1/tickets?cursor=abc');
    expect(badCursor.body.code).toBe('validation_failed');
    expect(await countRows()).toEqual(before);
  });

  it('changes only the fields a PATCH sends', async () => {
    const acc = (
      await a.call('POST', '/api/v1/accounts', { name: 'Big', tier: 'enterprise', mrr: 900, attributes: { x: 1 } })
    ).body;
    const patched = (await a.call('PATCH', `/api/v1/accounts/${acc.id}`, { name: 'Bigger' })).body;
    expect(patched).toMatchObject({ name: 'Bigger', tier: 'enterprise', mrr: 900, attributes: { x: 1 } });
    const admin = (
      await a.call('POST', '/api/v1/agents', {
        name: 'Root',
        email: 'root@a.example',
        role: 'admin',
        skills: ['billing'],
      })
    ).body;
    const online = (await a.call('PATCH', `/api/v1/agents/${admin.id}`, { status: 'online' })).body;
    expect(online).toMatchObject({ role: 'admin', status: 'online', skills: ['billing'] });
    const before = (await a.call('GET', '/api/v1/settings/autonomy')).body;
    const after = (await a.call('PATCH', '/api/v1/settings/autonomy', { shadowMode: true })).body;
    expect(after).toEqual({ ...before, shadowMode: true });
  });

  it('sanitises safe HTML and keeps its text', async () => {
    const res = await a.call('POST', '/api/v1/tickets', {
      ...ticketBody,
      message: { html: '<p>Export <b>fails</b> <a href="https://x.example">here</a></p><style>p{}</style>' },
    });
    expect(res.status).toBe(201);
    expect(res.body.message.html).toBe(
      '<p>Export <b>fails</b> <a href="https://x.example" rel="noopener noreferrer nofollow" ' +
        'target="_blank">here</a></p>',
    );
    expect(res.body.message.text).toBe('Export fails here');
  });

  it('replays the first result for a repeated Idempotency-Key and never duplicates', async () => {
    const before = await countRows();
    const headers = { 'idempotency-key': `key-${kind}-1` };
    const first = await a.call('POST', '/api/v1/tickets', ticketBody, headers);
    const second = await a.call('POST', '/api/v1/tickets', ticketBody, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.ticket.id).toBe(first.body.ticket.id);
    expect((await countRows()).t).toBe(Number(before.t) + 1);
    const reused = await a.call('POST', '/api/v1/tickets', { ...ticketBody, subject: 'Other' }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    // The same key in another workspace is another request.
    const other = await b.call('POST', '/api/v1/tickets', ticketBody, headers);
    expect(other.status).toBe(201);
    expect(other.body.ticket.id).not.toBe(first.body.ticket.id);
    // Concurrent retries still create one ticket.
    const h2 = { 'idempotency-key': `key-${kind}-2` };
    const results = await Promise.all([1, 2, 3].map(() => a.call('POST', '/api/v1/tickets', ticketBody, h2)));
    const created = new Set(results.filter((r) => r.status === 201).map((r) => r.body.ticket.id));
    expect(created.size).toBe(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
  });

  it('answers a late retry with the ticket a crashed request created, not a second ticket', async () => {
    // The request claimed its key and committed its ticket, then the process died before it could reply.
    const key = `key-${kind}-crash`;
    const body = { ...ticketBody, subject: 'Crashed before replying' };
    await t.desk.database.executeSql(
      `insert into idempotency_keys (workspace_id, key, request_hash, created_at) values ($1, $2, $3, now() - ` +
        `interval '10 minutes')`,
      [
        a.workspaceId,
        key,
        // the body as the server validated it
        idempotencyHash('POST', '/api/v1/tickets', TicketCreateSchema.parse(body)),
      ],
    );
    const created = await t.desk.createTicket(
      a.workspaceId,
      { type: 'integration', id: null },
      TicketCreateSchema.parse(body),
      { idempotency: { workspaceId: a.workspaceId, key } },
    );
    const before = await countRows();
    // Long after the claim went stale, the client retries.
    const retry = await a.call('POST', '/api/v1/tickets', body, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.ticket.id).toBe(created.ticket.id);
    expect((await countRows()).t).toBe(before.t);
  });

  it('enforces authentication and roles', async () => {
    expect((await t.server.inject({ method: 'GET', url: '/api/v1/tickets' })).json().code).toBe('unauthorized');
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/tickets', headers: { authorization: 'Bearer dm_nope' } }))
        .statusCode,
    ).toBe(401);
    const ingest = (await a.call('POST', '/api/v1/api-keys', { name: 'widget', role: 'ingest' })).body.secret;
    const asIngest = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      t.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ingest}` },
        ...(body ? { payload: body as object } : {}),
      });
    expect((await asIngest('POST', '/api/v1/tickets', ticketBody)).statusCode).toBe(201);
    expect((await asIngest('GET', '/api/v1/tickets')).statusCode).toBe(403);
    expect((await asIngest('POST', '/api/v1/agents', { name: 'x', email: 'x@x.example' })).statusCode).toBe(403);
    const agentKey = (await a.call('POST', '/api/v1/api-keys', { name: 'bot', role: 'agent' })).body;
    const asAgent = await t.server.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { authorization: `Bearer ${agentKey.secret}` },
      payload: { name: 'New' },
    });
    expect(asAgent.statusCode).toBe(403);
    expect((await a.call('DELETE', `/api/v1/api-keys/${agentKey.key.id}`)).status).toBe(204);
    expect(
      (
        await t.server.inject({
          method: 'GET',
          url: '/api/v1/tickets',
          headers: { authorization: `Bearer ${agentKey.secret}` },
        })
      ).statusCode,
    ).toBe(401);
    // Keys are stored only as hashes.
    const { rows } = await t.desk.database.executeSql('select key_hash from api_keys');
    expect(rows.every((r) => !String(r.key_hash).startsWith('dm_'))).toBe(true);
  });

  it(
    'trusts a key it found valid for the cache time only: a key revoked by another process stops working after ' + 'it',
    async () => {
      const db = t.desk.database.db;
      let clock = 1_000;
      const cache = new ApiKeyCache(5_000, () => clock);
      const revokeElsewhere = (id: string) =>
        t.desk.database.executeSql(`update api_keys set revoked_at = now() where id = '${id}'`);
      const key = (await a.call('POST', '/api/v1/api-keys', { name: 'elsewhere', role: 'agent' })).body;
      expect(await cache.authenticate(db, key.secret)).toMatchObject({
        kind: 'api_key',
        keyId: key.key.id,
        role: 'agent',
        workspaceId: a.workspaceId,
      });
      await revokeElsewhere(key.key.id);
      clock += 4_999;
      expect(await cache.authenticate(db, key.secret)).not.toBeNull();
      clock += 2;
      expect(await cache.authenticate(db, key.secret)).toBeNull();
      // Without a cache time, every request reads its key.
      const uncached = new ApiKeyCache(0, () => clock);
      const other = (await a.call('POST', '/api/v1/api-keys', { name: 'uncached', role: 'agent' })).body;
      expect(await uncached.authenticate(db, other.secret)).not.toBeNull();
      await revokeElsewhere(other.key.id);
      expect(await uncached.authenticate(db, other.secret)).toBeNull();
    },
  );

  it("records a key's last use at most once a minute, and lists it", async () => {
    const db = t.desk.database.db;
    let clock = Date.parse('2026-03-01T10:00:00Z');
    const cache = new ApiKeyCache(5_000, () => clock);
    const key = (await a.call('POST', '/api/v1/api-keys', { name: 'last used', role: 'agent' })).body;
    const lastUsed = async () =>
      (await a.call('GET', '/api/v1/api-keys')).body.data.find((k: { id: string }) => k.id === key.key.id).lastUsedAt;
    expect(key.key.lastUsedAt).toBeNull();
    await cache.authenticate(db, key.secret);
    expect(await lastUsed()).toBe('2026-03-01T10:00:00.000Z');
    clock += 59_000;
    await cache.authenticate(db, key.secret);
    expect(await lastUsed()).toBe('2026-03-01T10:00:00.000Z');
    clock += 2_000;
    await cache.authenticate(db, key.secret);
    expect(await lastUsed()).toBe('2026-03-01T10:01:01.000Z');
  });

  it('logs agents in with an http-only session cookie', async () => {
    const bad = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ann@a.example', password: 'wrong password' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe('invalid_credentials');
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ann@a.example', password: 'correct horse' },
    });
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/deskmind_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    const cookie = setCookie.split(';')[0]!;
    const session = sessionHeaders(res);
    const me = await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ workspaceId: a.workspaceId, kind: 'agent', agent: { email: 'ann@a.example' } });
    const reply = await t.server.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ids.ticket}/messages`,
      headers: session,
      payload: { text: 'On it!' },
    });
    expect(reply.statusCode).toBe(201);
    expect(reply.json().message).toMatchObject({ authorType: 'agent', authorId: ids.agent });
    expect(reply.json().ticket.firstResponseAt).not.toBeNull();
    const note = await t.server.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ids.ticket}/messages`,
      headers: session,
      payload: { text: 'internal', visibility: 'internal' },
    });
    expect(note.json().message.visibility).toBe('internal');
    // Logout is CSRF-checked like every other session write: without the token the session stays.
    expect(
      (await t.server.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).statusCode,
    ).toBe(403);
    expect(
      (await t.server.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: session })).statusCode,
    ).toBeLessThan(300);
    expect((await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(
      401,
    );
    // Passwords are stored as scrypt hashes.
    const { rows } = await t.desk.database.executeSql(`select password_hash from agents where email = 'ann@a.example'`);
    expect(String(rows[0]!.password_hash)).toMatch(/^scrypt\$/);
  });

  it('serves OpenAPI, docs, health, readiness and metrics', async () => {
    const doc = await t.server.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toContain('/api/v1/tickets');
    expect((await t.server.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
    expect((await t.server.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.server.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({
      status: 'ready',
      database: kind,
    });
    const metrics = await t.server.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/deskmind_http_requests_total/);
    expect(metrics.body).toMatch(/deskmind_tickets_created_total \d+/);
    const missing = await t.server.inject({
      method: 'GET',
      url: '/api/v1/nope',
      headers: { authorization: `Bearer ${a.apiKey}` },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('route_not_found');
  });
});
