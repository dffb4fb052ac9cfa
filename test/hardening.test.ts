/**
 * Regression tests of issue 18's defects (points 1, 6 and 8): text PostgreSQL cannot store is refused with
 * `invalid_text` everywhere it can come in; audit entries fail closed with their change; empty PATCHes are
 * a 400 on every PATCH route; logout checks CSRF; oversized bodies and request lines get a readable
 * problem+json; unknown usage fields, empty Idempotency-Keys; anonymous widget visitors; Secure cookies.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { importText } from '../src/ingest/import.js';
import { backends, newWorkspace, openTestDesk, sessionHeaders, type TestDesk } from './helpers.js';

const LONE = ['x \ud800', 'y \udfff z', 'nul \u0000 here'];
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each(backends())('hardening (%s)', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  const count = async (table: string) =>
    Number((await t.desk.database.executeSql(`select count(*)::int n from ${table}`)).rows[0]!.n);

  beforeAll(async () => {
    t = await openTestDesk(kind, { config: { ingestGroupSize: 8 } });
    ws = await newWorkspace(t, 'Hard');
  });
  afterAll(async () => t?.close());

  it(
    'refuses a lone surrogate or NUL in bodies, query strings, path parameters and Idempotency-Key with 400 ' +
      'invalid_text, writing nothing',
    async () => {
      for (const bad of LONE) {
        const before = [
          await count('api_keys'),
          await count('audit_log'),
          await count('tickets'),
          await count('teams'),
        ];
        const calls = [
          await ws.call('POST', '/api/v1/api-keys', { name: bad, role: 'admin' }),
          await ws.call('POST', '/api/v1/teams', { name: 'ok', [bad]: 1 }),
          await ws.call('POST', '/api/v1/tickets', {
            subject: 'Help',
            message: { text: bad },
            customer: { email: 'lone@example.com' },
          }),
          await ws.call('POST', '/api/v1/tickets', {
            subject: 'Help',
            message: { text: 'fine' },
            customer: { email: 'lone@example.com' },
            tags: [[[bad]]],
          }),
          // Over HTTP a query string carries bytes: a NUL arrives (%00), a lone surrogate cannot be encoded.
          await ws.call('GET', '/api/v1/tickets?q=a%00b'),
        ];
        for (const res of calls) {
          expect(res.status, JSON.stringify(res.body)).toBe(400);
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(res.body.code).toBe('invalid_text');
        }
        expect([
          await count('api_keys'),
          await count('audit_log'),
          await count('tickets'),
          await count('teams'),
        ]).toEqual(before);
      }
      // A NUL in a path parameter (and in the raw URL).
      const nul = await ws.call('GET', '/api/v1/tickets/%00');
      expect(nul.body.code).toBe('invalid_text');
      // The stored header (Idempotency-Key), as an in-process caller can send it (HTTP itself carries bytes).
      const odd = await t.server.inject({
        method: 'POST',
        url: '/api/v1/teams',
        headers: { authorization: `Bearer ${ws.apiKey}`, 'idempotency-key': 'a\ud800b' },
        payload: { name: 'nk' },
      });
      expect(odd.json().code).toBe('invalid_text');
    },
  );

  it('keeps the rest of a group-committed batch when one ticket holds unstorable text', async () => {
    const before = await count('tickets');
    const fallbacks = t.desk.ingestStats().fallbacks;
    const actor = { type: 'integration' as const, id: null };
    const inputs = Array.from({ length: 6 }, (_, i) => ({
      subject: `Batch ${i}`,
      message: { text: i === 2 ? 'bad \ud83d' : `fine ${i}`, visibility: 'public' as const },
      customer: { email: `b${i}@example.com` },
      channel: 'api' as const,
      tags: [],
    }));
    const outcomes = await Promise.allSettled(
      inputs.map((input) => t.desk.createTicket(ws.workspaceId, actor, input as never)),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'invalid_text' });
    expect(await count('tickets')).toBe(before + 5);
    // Refused alone before the group was written: the group did not fail and fall back.
    expect(t.desk.ingestStats().fallbacks).toBe(fallbacks);
    // Over HTTP, concurrently: the bad one is a 400, the others 201.
    const res = await Promise.all(inputs.map((input) => ws.call('POST', '/api/v1/tickets', input)));
    expect(res.map((r) => r.status)).toEqual([201, 201, 400, 201, 201, 201]);
  });

  it('refuses unstorable text in import rows and inbound email', async () => {
    const summary = await importText(
      t.desk,
      ws.workspaceId,
      `${JSON.stringify({ externalId: 'ok-1', name: 'Fine' })}\n` +
        `${JSON.stringify({ externalId: 'bad-1', name: 'Bad \udc00' })}\n`,
      { kind: 'accounts', format: 'jsonl' },
    );
    expect(summary).toMatchObject({ created: 1, rejected: 1 });
    expect(summary.rejections[0]!.reason).toMatch(/row\.name/);
    expect((await ws.call('PATCH', '/api/v1/settings/email', { inboundAddress: 'support@hard.test' })).status).toBe(
      200,
    );
    const before = await count('tickets');
    await expect(
      t.desk.receiveEmail(
        Buffer.from('From: kim@example.com\r\nTo: support@hard.test\r\nSubject: nul\r\n\r\nbody \u0000 here'),
        ['support@hard.test'],
      ),
    ).rejects.toMatchObject({ code: 'invalid_text' });
    expect(await count('tickets')).toBe(before);
  });

  it("writes the audit entry in the change's transaction: a failure to audit rolls the change back", async () => {
    await t.desk.database.executeSql(
      `alter table audit_log add constraint h18_refuse_teams check (action <> 'POST /teams') not valid`,
    );
    try {
      const before = await count('teams');
      const res = await ws.call('POST', '/api/v1/teams', { name: 'Unaudited' });
      expect(res.status).toBe(500);
      expect(await count('teams')).toBe(before);
    } finally {
      await t.desk.database.executeSql('alter table audit_log drop constraint h18_refuse_teams');
    }
    const ok = await ws.call('POST', '/api/v1/teams', { name: 'Audited' });
    expect(ok.status).toBe(201);
    const log = (await ws.call('GET', '/api/v1/audit-log?kind=admin&action=POST%20/teams')).body.entries;
    expect(log[0]).toMatchObject({ action: 'POST /teams', status: 201, data: { name: 'Audited' } });
  });

  it('answers an empty PATCH with 400 on every PATCH route, and an unknown id with 404', async () => {
    await t.server.ready();
    const doc = t.server.swagger() as { paths: Record<string, Record<string, unknown>> };
    const patchPaths = Object.entries(doc.paths)
      .filter(([, ops]) => 'patch' in ops)
      .map(([p]) => p);
    expect(patchPaths.length).toBeGreaterThan(10);
    for (const p of patchPaths) {
      const url = p.replace(/\{[^}]+\}/g, UNKNOWN_ID);
      const res = await ws.call('PATCH', url, {});
      expect(res.status, `${p}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const team = (await ws.call('POST', '/api/v1/teams', { name: 'Patchable' })).body;
    expect((await ws.call('PATCH', `/api/v1/teams/${team.id}`, {})).status).toBe(400);
    expect((await ws.call('PATCH', `/api/v1/teams/${UNKNOWN_ID}`, { name: 'Nobody' })).status).toBe(404);
    expect((await ws.call('PATCH', `/api/v1/teams/${team.id}`, { name: 'Patched' })).body.name).toBe('Patched');
  });

  it('refuses a logout with a wrong CSRF token', async () => {
    expect(
      (
        await ws.call('POST', '/api/v1/agents', {
          name: 'Lou',
          email: 'lou@hard.test',
          password: 'correct horse',
          role: 'agent',
        })
      ).status,
    ).toBe(201);
    const session = sessionHeaders(
      await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'lou@hard.test', password: 'correct horse' },
      }),
    );
    const wrong = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { ...session, 'x-csrf-token': 'wrong' },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('csrf_failed');
    expect((await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: session })).statusCode).toBe(200);
    expect((await t.server.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: session })).statusCode).toBe(
      204,
    );
    expect((await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: session })).statusCode).toBe(401);
  });

  it('refuses unknown fields in usage events and an empty Idempotency-Key', async () => {
    const unknown = await ws.call('POST', '/api/v1/usage/identify', {
      userId: 'u1',
      traits: { email: 'u1@example.com' },
      bogus: true,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('validation_failed');
    // Segment's own envelope fields still pass.
    expect(
      (
        await ws.call('POST', '/api/v1/usage/identify', {
          userId: 'u1',
          traits: { email: 'u1@example.com' },
          sentAt: '2026-06-01T09:00:00Z',
          integrations: {},
          context: { traits: {} },
        })
      ).status,
    ).toBe(200);
    expect(
      (await ws.call('POST', '/api/v1/usage/batch', { batch: [{ type: 'track', userId: 'u1', event: 'x' }], bogus: 1 }))
        .status,
    ).toBe(400);
    for (const key of ['', '   ']) {
      const res = await ws.call(
        'POST',
        '/api/v1/tickets',
        { subject: 'k', message: { text: 'k' }, customer: { email: 'k@example.com' } },
        { 'idempotency-key': key },
      );
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const widget = (await ws.call('GET', '/api/v1/settings/widget')).body;
    const publicEmpty = await t.server.inject({
      method: 'POST',
      url: '/api/v1/widget/session',
      headers: { 'idempotency-key': '' },
      payload: { widgetId: widget.publicId },
    });
    expect(publicEmpty.statusCode).toBe(400);
  });

  it('lets a widget userId without a hash chat as an anonymous visitor, with or without a visitorId', async () => {
    const widget = (await ws.call('GET', '/api/v1/settings/widget')).body;
    const session = async (body: object) =>
      t.server.inject({
        method: 'POST',
        url: '/api/v1/widget/session',
        payload: { widgetId: widget.publicId, ...body },
      });
    const bare = await session({ userId: 'u-77' });
    expect(bare.statusCode, bare.body).toBe(200);
    expect(bare.json().verified).toBe(false);
    const again = await session({ userId: 'u-77' });
    expect(again.json().customerId).not.toBe(bare.json().customerId); // never the customer the userId claims
    const kept = await session({ userId: 'u-77', visitorId: 'visitor-0123456789abcdef' });
    expect((await session({ visitorId: 'visitor-0123456789abcdef' })).json().customerId).toBe(kept.json().customerId);
  });

  it('answers a 10 MB body with a readable 413 problem+json and closes cleanly', async () => {
    const base = new URL(await t.server.listen({ port: 0, host: '127.0.0.1' }));
    try {
      const size = 10 * 1024 * 1024;
      const result = await new Promise<{ status: number; type: string; body: string; error: string | null }>(
        (resolve) => {
          let error: string | null = null;
          const req = http.request(
            {
              host: base.hostname,
              port: base.port,
              method: 'POST',
              path: '/api/v1/tickets',
              headers: {
                authorization: `Bearer ${ws.apiKey}`,
                'content-type': 'application/json',
                'content-length': size,
              },
            },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c));
              res.on('end', () =>
                resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body, error }),
              );
              res.on('error', (e) => resolve({ status: res.statusCode!, type: '', body, error: e.message }));
            },
          );
          req.on('error', (e) => {
            error = e.message;
            resolve({ status: 0, type: '', body: '', error });
          });
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          let sent = 0;
          const write = (): void => {
            while (sent < size) {
              sent += chunk.length;
              if (!req.write(chunk)) {
                req.once('drain', write);
                return;
              }
            }
            req.end();
          };
          write();
        },
      );
      expect(result.error).toBeNull();
      expect(result.status).toBe(413);
      expect(result.type).toMatch(/application\/problem\+json/);
      expect(JSON.parse(result.body).code).toBe('payload_too_large');

      // A 100 KB query string: 431 as problem+json.
      const long = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: base.hostname,
            port: base.port,
            method: 'GET',
            path: `/api/v1/tickets?q=${'a'.repeat(100_000)}`,
            headers: { authorization: `Bearer ${ws.apiKey}` },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(long.status).toBe(431);
      expect(long.type).toMatch(/application\/problem\+json/);
      expect(JSON.parse(long.body)).toMatchObject({ code: 'headers_too_large', status: 431 });
    } finally {
      await t.server.close();
    }
  });
});

describe('Secure cookies', () => {
  it('default on when the public URL is https, off otherwise, and follow DESKMIND_SECURE_COOKIES when set', () => {
    expect(loadConfig({}, { DESKMIND_PUBLIC_URL: 'https://desk.example.com' }).secureCookies).toBe(true);
    expect(loadConfig({}, { DESKMIND_PUBLIC_URL: 'http://localhost:3000' }).secureCookies).toBe(false);
    expect(loadConfig({}, {}).secureCookies).toBe(false);
    expect(
      loadConfig({}, { DESKMIND_PUBLIC_URL: 'https://desk.example.com', DESKMIND_SECURE_COOKIES: 'false' })
        .secureCookies,
    ).toBe(false);
    expect(loadConfig({}, { DESKMIND_SECURE_COOKIES: 'true' }).secureCookies).toBe(true);
  });

  it('marks the session and CSRF cookies Secure behind an https public URL', async () => {
    const t = await openTestDesk('pglite', {
      config: { publicUrl: 'https://desk.example.com', secureCookies: undefined },
    });
    try {
      const ws = await newWorkspace(t, 'Sec');
      await ws.call('POST', '/api/v1/agents', {
        name: 'Sue',
        email: 'sue@sec.test',
        password: 'correct horse',
        role: 'agent',
      });
      const login = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'sue@sec.test', password: 'correct horse' },
      });
      const cookies = [login.headers['set-cookie']].flat().map(String);
      expect(cookies).toHaveLength(2);
      for (const c of cookies) expect(c).toMatch(/;\s*Secure/i);
    } finally {
      await t.close();
    }
  });
});
