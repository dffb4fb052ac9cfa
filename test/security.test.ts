import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deskmind } from '../src/app.js';
import { REDACT_PATHS } from '../src/ops/logger.js';
import { loadConfig } from '../src/config.js';
import { pruneRateLimits } from '../src/server/rate-limit-store.js';
import { buildServer } from '../src/server/server.js';
import {
  backends,
  newWorkspace,
  openTestDatabase,
  openTestDesk,
  sessionHeaders,
  testClock,
  type TestDesk,
} from './helpers.js';

const ticketBody = {
  subject: 'Help',
  message: { text: 'Something is wrong with my invoice' },
  customer: { email: 'a@example.com' },
};

describe.each(backends())('security on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  let keys: Record<'agent' | 'ingest', string>;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    ws = await newWorkspace(t, 'Sec');
    keys = {
      agent: (await ws.call('POST', '/api/v1/api-keys', { name: 'bot', role: 'agent' })).body.secret,
      ingest: (await ws.call('POST', '/api/v1/api-keys', { name: 'widget', role: 'ingest' })).body.secret,
    };
    expect(
      (
        await ws.call('POST', '/api/v1/agents', {
          name: 'Ann',
          email: 'ann@sec.example',
          password: 'correct horse',
          role: 'agent',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await ws.call('POST', '/api/v1/agents', {
          name: 'Ada',
          email: 'ada@sec.example',
          password: 'correct horse',
          role: 'admin',
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => t?.close());

  const as =
    (key: string) => async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) => {
      const res = await t.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}` },
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, body: res.json() as any };
    };
  const login = async (email: string) =>
    sessionHeaders(
      await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: 'correct horse' },
      }),
    );

  it('enforces each role: ingest writes only, agents work tickets, admins administer', async () => {
    const ingest = as(keys.ingest);
    const agent = as(keys.agent);
    expect((await ingest('POST', '/api/v1/tickets', ticketBody)).status).toBe(201);
    for (const [m, url] of [
      ['GET', '/api/v1/tickets'],
      ['GET', '/api/v1/customers'],
      ['GET', '/api/v1/audit-log'],
      ['GET', '/api/v1/settings/autonomy'],
    ] as const) {
      const r = await ingest(m, url);
      expect(r.status, url).toBe(403);
      expect(r.body.code).toBe('forbidden');
    }
    expect((await agent('GET', '/api/v1/tickets')).status).toBe(200);
    for (const [m, url, body] of [
      ['POST', '/api/v1/api-keys', { name: 'x', role: 'admin' }],
      ['PATCH', '/api/v1/settings/autonomy', { shadowMode: true }],
      ['POST', '/api/v1/teams', { name: 'T' }],
      ['GET', '/api/v1/audit-log', undefined],
      ['POST', '/api/v1/settings/signing-secret/rotate', undefined],
    ] as const) {
      const r = await agent(m, url, body);
      expect(r.status, url).toBe(403);
    }
    // The same split for console sessions.
    const ann = await login('ann@sec.example');
    expect((await t.server.inject({ method: 'GET', url: '/api/v1/tickets', headers: ann })).statusCode).toBe(200);
    expect(
      (await t.server.inject({ method: 'POST', url: '/api/v1/teams', headers: ann, payload: { name: 'T2' } }))
        .statusCode,
    ).toBe(403);
    expect((await t.server.inject({ method: 'GET', url: '/api/v1/audit-log', headers: ann })).statusCode).toBe(403);
    const ada = await login('ada@sec.example');
    expect((await t.server.inject({ method: 'GET', url: '/api/v1/audit-log', headers: ada })).statusCode).toBe(200);
  });

  it('asks cookie sessions for the CSRF token on mutating requests, not API keys', async () => {
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ann@sec.example', password: 'correct horse' },
    });
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]);
    const csrf = setCookie.find((c) => c.startsWith('deskmind_csrf='))!;
    expect(csrf).toBeDefined();
    expect(csrf).not.toMatch(/HttpOnly/i); // the console's script must read it
    expect(csrf).toMatch(/SameSite=Lax/i);
    const session = sessionHeaders(res);
    const before = await t.desk.database.executeSql('select count(*)::int n from tickets');
    const body = { ...ticketBody, subject: 'csrf' };
    for (const headers of [
      { cookie: session.cookie },
      { cookie: session.cookie, 'x-csrf-token': 'forged' },
      { cookie: session.cookie, 'x-csrf-token': '' },
    ]) {
      const r = await t.server.inject({ method: 'POST', url: '/api/v1/tickets', headers, payload: body });
      expect(r.statusCode).toBe(403);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.json().code).toBe('csrf_failed');
    }
    // A token from another session's cookie does not match this cookie.
    const other = await login('ada@sec.example');
    expect(
      (
        await t.server.inject({
          method: 'POST',
          url: '/api/v1/tickets',
          headers: { cookie: session.cookie, 'x-csrf-token': other['x-csrf-token'] },
          payload: body,
        })
      ).statusCode,
    ).toBe(403);
    expect((await t.desk.database.executeSql('select count(*)::int n from tickets')).rows[0]!.n).toBe(
      before.rows[0]!.n,
    );
    // Safe methods need no token; the right token passes; bearer keys are exempt.
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/tickets', headers: { cookie: session.cookie } }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.server.inject({ method: 'POST', url: '/api/v1/tickets', headers: session, payload: body })).statusCode,
    ).toBe(201);
    expect((await ws.call('POST', '/api/v1/tickets', body)).status).toBe(201);
    // Logging out clears both cookies.
    const out = await t.server.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: session });
    expect(String(out.headers['set-cookie'])).toMatch(/deskmind_csrf=;/);
  });

  it('sends security headers with a CSP that allows only the console’s own scripts', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/healthz' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const api = await ws.call('GET', '/api/v1/tickets');
    expect(api.headers['x-content-type-options']).toBe('nosniff');
  });

  it('records admin actions (secrets redacted) and AI actions in the audit log', async () => {
    expect((await ws.call('PATCH', '/api/v1/settings/autonomy', { shadowMode: true })).status).toBe(200);
    expect(
      (
        await ws.call('POST', '/api/v1/agents', {
          name: 'Bob',
          email: 'bob@sec.example',
          password: 'a long secret pass',
        })
      ).status,
    ).toBe(201);
    const key = await ws.call('POST', '/api/v1/api-keys', { name: 'ci', role: 'ingest' });
    expect((await ws.call('DELETE', `/api/v1/api-keys/${key.body.key.id}`)).status).toBe(204);
    // A refused request is not an action.
    expect((await ws.call('PATCH', '/api/v1/settings/autonomy', { nonsense: true })).status).toBe(400);
    // An AI action: the pipeline hands a ticket to a human.
    const ticket = (await ws.call('POST', '/api/v1/tickets', ticketBody)).body.ticket;
    await t.desk.runPipeline(ws.workspaceId, ticket.id, 'created');

    const log = (await ws.call('GET', '/api/v1/audit-log?kind=admin')).body.entries as any[];
    const actions = log.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['PATCH /settings/autonomy', 'POST /agents', 'POST /api-keys', 'DELETE /api-keys/:id']),
    );
    expect(actions.filter((a) => a === 'PATCH /settings/autonomy')).toHaveLength(1);
    const agent = log.find((e) => e.action === 'POST /agents' && e.data.email === 'bob@sec.example');
    expect(agent).toMatchObject({
      kind: 'admin',
      actorType: 'integration',
      status: 201,
      data: { password: '[redacted]' },
    });
    expect(JSON.stringify(log)).not.toContain('a long secret pass');
    expect(log.find((e) => e.action === 'DELETE /api-keys/:id').target).toEqual({ id: key.body.key.id });
    expect(log.some((e) => e.action.startsWith('POST /tickets'))).toBe(false);

    const ai = (await ws.call('GET', `/api/v1/audit-log?kind=ai&ticketId=${ticket.id}`)).body.entries as any[];
    expect(ai.length).toBeGreaterThan(0);
    expect(ai.every((e) => e.kind === 'ai' && e.actorType === 'assistant' && e.ticketId === ticket.id)).toBe(true);
    expect(ai.map((e) => e.action)).toContain('ticket.handed_off');
    const filtered = (await ws.call('GET', '/api/v1/audit-log?action=POST%20/agents')).body.entries as any[];
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((e) => e.action.startsWith('POST /agents'))).toBe(true);
    expect((await ws.call('GET', '/api/v1/audit-log?limit=0')).status).toBe(400);
    // Another workspace sees none of it.
    const other = await newWorkspace(t, 'Other');
    expect(
      (await other.call('GET', '/api/v1/audit-log')).body.entries.filter(
        (e: any) => e.kind === 'admin' && e.action !== 'POST /api-keys',
      ),
    ).toEqual([]);
  });
});

/** The windows are counted on the app's clock, which the tests move: no test depends on how fast requests go. */
describe.each(backends())('rate limits on %s', (kind) => {
  let t: TestDesk;
  const clock = testClock();
  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now, config: { rateLimitPerMinute: 5, rateLimitIpPerMinute: 8 } });
  });
  afterAll(async () => t?.close());

  it('limits each key, then each IP, with 429 rate_limited problem+json and Retry-After', async () => {
    const a = await newWorkspace(t, 'A');
    const b = await newWorkspace(t, 'B');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await a.call('GET', '/api/v1/tickets')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await a.call('GET', '/api/v1/tickets');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.body.code).toBe('rate_limited');
    // the clock has not moved since A's first request: its whole minute is left
    expect(limited.headers['retry-after']).toBe('60');
    // Another key is not limited by A's use, until the IP's budget (8 per minute) runs out.
    expect((await b.call('GET', '/api/v1/tickets')).status).toBe(200);
    const more: number[] = [];
    for (let i = 0; i < 3; i++) more.push((await b.call('GET', '/api/v1/tickets')).status);
    expect(more.at(-1)).toBe(429);
    // Another IP still gets through with B's key; health checks are never limited.
    const elsewhere = await t.server.inject({
      method: 'GET',
      url: '/api/v1/tickets',
      remoteAddress: '10.0.0.9',
      headers: { authorization: `Bearer ${b.apiKey}` },
    });
    expect(elsewhere.statusCode).toBe(200);
    expect((await t.server.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    // A millisecond before the minute ends A is still limited (1 s to wait, rounded up); when it ends, it is not.
    clock.advance(59_999);
    const late = await a.call('GET', '/api/v1/tickets');
    expect(late.status).toBe(429);
    expect(late.headers['retry-after']).toBe('1');
    clock.advance(1);
    expect((await a.call('GET', '/api/v1/tickets')).status).toBe(200);
    expect((await b.call('GET', '/api/v1/tickets')).status).toBe(200);
  });

  it.runIf(kind === 'postgres')(
    'shares each key’s limit between the API processes of one PostgreSQL server',
    async () => {
      // A second API with its own plugins and memory, on the same database: the counts are in the database.
      const second = await buildServer(t.desk);
      try {
        const c = await newWorkspace(t, 'C');
        const via = (server: typeof second) =>
          server.inject({
            method: 'GET',
            url: '/api/v1/tickets',
            remoteAddress: '10.0.0.20',
            headers: { authorization: `Bearer ${c.apiKey}` },
          });
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) statuses.push((await via(t.server)).statusCode, (await via(second)).statusCode);
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
        // The sweep prunes the counters of windows that ended, on the same clock.
        expect(await pruneRateLimits(t.desk.database, clock.now())).toBe(0);
        clock.advance(60_001);
        expect(await pruneRateLimits(t.desk.database, clock.now())).toBeGreaterThanOrEqual(2);
        expect((await via(second)).statusCode).toBe(200);
      } finally {
        await second.close();
      }
    },
  );
});

describe('secrets in logs', () => {
  it('never writes API keys, passwords, session tokens or CSRF tokens to the logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    const database = await openTestDatabase('pglite');
    const desk = await Deskmind.open({ config: loadConfig({ logLevel: 'trace' }), database, worker: false, logger });
    const server = await buildServer(desk);
    try {
      const { workspace, apiKey } = await desk.createWorkspace('Logs');
      const auth = { authorization: `Bearer ${apiKey}` };
      expect(
        (
          await server.inject({
            method: 'POST',
            url: '/api/v1/agents',
            headers: auth,
            payload: { name: 'Zed', email: 'zed@logs.example', password: 'zebra-password-42' },
          })
        ).statusCode,
      ).toBe(201);
      const login = await server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'zed@logs.example', password: 'zebra-password-42' },
      });
      const session = sessionHeaders(login);
      const token = session.cookie
        .split('; ')
        .find((c) => c.startsWith('deskmind_session='))!
        .split('=')[1]!;
      await server.inject({ method: 'GET', url: '/api/v1/tickets', headers: session });
      await server.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: '{"broken',
      });
      await server.inject({
        method: 'GET',
        url: '/api/v1/tickets',
        headers: { authorization: 'Bearer dm_wrong_key_123456' },
      });
      // How an error with a request attached, or a config dump, would be logged.
      desk.logger.error(
        {
          req: { headers: { ...auth, cookie: session.cookie, 'x-csrf-token': session['x-csrf-token'] } },
          config: { databaseUrl: 'postgres://u:pw-in-url@h/db' },
        },
        'failure',
      );
      desk.logger.info(
        {
          workspaceId: workspace.id,
          apiKey,
          password: 'zebra-password-42',
          agent: { password: 'zebra-password-42' },
          secret: 'whsec_abc123',
        },
        'event',
      );
      const all = lines.join('');
      expect(lines.length).toBeGreaterThan(5);
      expect(all).toContain('[redacted]');
      for (const secret of [
        apiKey,
        'zebra-password-42',
        token,
        session['x-csrf-token'],
        'pw-in-url',
        'whsec_abc123',
        'dm_wrong_key_123456',
      ])
        expect(all).not.toContain(secret);
    } finally {
      await server.close();
      await desk.close();
      await database.cleanup();
    }
  });
});
