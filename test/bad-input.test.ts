/**
 * Property-based tests of the public endpoints with fast-check: malformed, oversized and hostile input
 * (script injection, SQL-like strings, path traversal, unicode edge cases, deeply nested JSON) gets a 4xx
 * problem+json and changes nothing; accepted input is stored as sent, with HTML sanitised.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstorableTextPaths } from '../src/domain/text.js';
import { newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'; DROP TABLE tickets; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  '\u202e\u202dreversed',
  '\ud83d\ude00\u200d\ud83d\udc4d',
  'e\u0301\u0301\u0301',
  '\ufeff',
  '${7*7}{{7*7}}',
  'javascript:alert(1)',
  '\\x00\\u0000',
  'a'.repeat(300),
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ maxLength: 60 }),
);

describe('bad input on the public endpoints', () => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk('pglite', { config: { bodyLimitBytes: 65_536 } });
    ws = await newWorkspace(t, 'Fuzz');
  });
  afterAll(async () => t?.close());

  const counts = async () =>
    (
      await t.desk.database.executeSql(
        `select (select count(*) from tickets)::int t, (select count(*) from messages)::int m, (select count(*) ` +
          `from customers)::int c, (select count(*) from events)::int e, (select count(*) from accounts)::int a`,
      )
    ).rows[0]!;
  const raw = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: string | object,
    headers: Record<string, string> = {},
  ) =>
    t.server.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${ws.apiKey}`,
        ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(payload !== undefined ? { payload } : {}),
    });
  const expectProblem = (res: { statusCode: number; headers: Record<string, unknown>; body: string }) => {
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
    expect(res.statusCode, res.body).toBeLessThan(500);
    expect(String(res.headers['content-type'])).toMatch(/application\/problem\+json/);
    const body = JSON.parse(res.body) as { code: string; status: number };
    expect(typeof body.code).toBe('string');
    expect(body.status).toBe(res.statusCode);
  };

  it('refuses arbitrary JSON as a ticket with a 4xx and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const before = await counts();
        const res = await raw('POST', '/api/v1/tickets', JSON.stringify(value));
        if (res.statusCode === 201) return; // a random value that happens to be a valid ticket
        expectProblem(res);
        expect(await counts()).toEqual(before);
      }),
      { numRuns: 80 },
    );
  });

  it('stores hostile strings in valid tickets verbatim (as data, never as code) or refuses them', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, hostileString, fc.constantFrom(...HOSTILE), async (subject, text, email) => {
        const before = await counts();
        const res = await raw('POST', '/api/v1/tickets', {
          subject,
          message: { text },
          customer: { email: `x@example.com`, name: email },
        });
        if (res.statusCode !== 201) {
          expectProblem(res);
          expect(await counts()).toEqual(before);
          return;
        }
        const id = res.json().ticket.id as string;
        const got = (await raw('GET', `/api/v1/tickets/${id}`)).json();
        expect(got.subject).toBe(subject.trim());
        expect(got.messages[0].text).toBe(text.trim() || got.messages[0].text);
        // The SQL-like strings were data: the tables are all still there.
        expect((await counts()).t).toBe(Number(before.t) + 1);
      }),
      { numRuns: 80 },
    );
  });

  it('refuses active HTML and sanitises the rest', async () => {
    for (const html of [
      '<p>hi</p><script>alert(1)</script>',
      '<img src=x onerror="alert(1)">',
      '<a href="javascript:alert(1)">x</a>',
    ]) {
      const before = await counts();
      const res = await raw('POST', '/api/v1/tickets', {
        subject: 'html',
        message: { html },
        customer: { email: 'h@example.com' },
      });
      expectProblem(res);
      expect(res.json().code).toBe('unsafe_html');
      expect(await counts()).toEqual(before);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '<b>bold</b>',
          '<iframe src="https://evil.example"></iframe>ok',
          '<style>body{}</style>text',
          '<p style="x">p</p>',
          '<object data=x></object>y',
        ),
        hostileString,
        async (tag, filler) => {
          const res = await raw('POST', '/api/v1/tickets', {
            subject: 'html',
            message: { html: `<p>${filler.replace(/[<>&"]/g, '')}</p>${tag}` },
            customer: { email: 'h@example.com' },
          });
          if (res.statusCode !== 201) return expectProblem(res);
          const stored = String(res.json().message.bodyHtml ?? '');
          expect(stored).not.toMatch(/<(script|iframe|object|style)\b/i);
          expect(stored).not.toMatch(/\son\w+=/i);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('answers hostile path and query parameters with a 4xx (or an empty result), never a 5xx', async () => {
    const nul = await raw('GET', '/api/v1/tickets?q=%00');
    expectProblem(nul);
    expect(nul.json().code).toBe('invalid_text');
    await fc.assert(
      fc.asyncProperty(
        hostileString,
        fc.constantFrom('tickets', 'customers', 'accounts', 'agents', 'articles'),
        async (s, resource) => {
          const before = await counts();
          for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
            const res = await raw(
              method,
              `/api/v1/${resource}/${encodeURIComponent(s)}`,
              method === 'PATCH' ? { name: 'x' } : undefined,
            );
            expectProblem(res);
          }
          const q = await raw('GET', `/api/v1/tickets?q=${encodeURIComponent(s)}&status=${encodeURIComponent(s)}`);
          if (q.statusCode !== 200) expectProblem(q);
          const search = await raw('GET', `/api/v1/tickets?q=${encodeURIComponent(s)}`);
          if (s.trim() && !unstorableTextPaths(s, 'q').length) expect(search.statusCode, search.body).toBe(200);
          else expectProblem(search);
          expect(await counts()).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
    for (const p of [
      '/api/v1/../../etc/passwd',
      '/api/v1/tickets/..%2f..%2fetc%2fpasswd',
      '/api/v1/%2e%2e/%2e%2e/etc/passwd',
      '/api/v1/tickets/%00',
    ]) {
      const res = await raw('GET', p);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.body).not.toContain('root:');
    }
  });

  it('refuses deeply nested, oversized, truncated and non-UTF-8 bodies', async () => {
    const before = await counts();
    const deep =
      '{"subject":"x","message":{"text":"y"},"customer":{"email":"d@example.com"},"tags":' +
      '['.repeat(5000) +
      ']'.repeat(5000) +
      '}';
    expectProblem(await raw('POST', '/api/v1/tickets', deep));
    const deepObject = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
    expectProblem(await raw('POST', '/api/v1/tickets', deepObject));
    const big = await raw(
      'POST',
      '/api/v1/tickets',
      JSON.stringify({ subject: 'big', message: { text: 'x'.repeat(70_000) }, customer: { email: 'b@example.com' } }),
    );
    expectProblem(big);
    expect(big.json().code).toBe('payload_too_large');
    expectProblem(await raw('POST', '/api/v1/tickets', '{"subject": "x", "message": {"te'));
    const latin1 = await t.server.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
      payload: Buffer.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expectProblem(latin1);
    expect(latin1.json().code).toBe('invalid_utf8');
    expectProblem(
      await raw('POST', '/api/v1/tickets', 'subject=x', { 'content-type': 'application/x-www-form-urlencoded' }),
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (s) => {
        const res = await raw('POST', '/api/v1/tickets', s);
        if (res.statusCode === 201) return;
        expectProblem(res);
      }),
      { numRuns: 60 },
    );
    const after = await counts();
    expect(after.t).toBe(before.t);
    expect(after.c).toBe(before.c);
  });

  it('refuses hostile input on the other public writes (customers, accounts, login, messages)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), hostileString, async (value, s) => {
        const before = await counts();
        for (const [method, url] of [
          ['POST', '/api/v1/customers'],
          ['POST', '/api/v1/accounts'],
          ['PUT', `/api/v1/customers/by-external-id/${encodeURIComponent(s) || 'x'}`],
        ] as const) {
          const res = await raw(method, url, JSON.stringify(value));
          if (res.statusCode < 300) continue;
          expectProblem(res);
        }
        const login = await t.server.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: s, password: s },
        });
        expectProblem(login);
        expect(await counts()).toMatchObject({ t: before.t, m: before.m });
      }),
      { numRuns: 40 },
    );
  });
});
