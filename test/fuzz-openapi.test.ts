/**
 * Property-based fuzzing of every operation in the server's OpenAPI document (fast-check): bad bodies
 * (wrong types, lone surrogates, NUL, deep nesting, `__proto__`, huge strings), bad path ids and bad query
 * strings. Each answer is below 500 and, when refused, problem+json with a code from the catalogue; no
 * request changes any row (a digest over every table of the public schema is the same before and after).
 * Bounded: RUNS_PER_OPERATION generated cases per operation and kind of input.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../src/domain/errors.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

/** Generated cases per operation and kind of input (body, path, query); raise it locally to fuzz harder. */
const RUNS_PER_OPERATION = 2;
const SEED = 18;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  method: Method;
  path: string;
  params: string[];
  query: string[];
  bodyProps: string[] | null;
}

const HUGE = 'h'.repeat(300_000);
const deepArray = (n: number): unknown => (n === 0 ? [] : [deepArray(n - 1)]);

/** A string no endpoint should store: a lone surrogate, a NUL, or one far over any length limit. */
const badString = fc.constantFrom('\ud800', 'lo\udc00ne', 'nul\u0000', '\u0000', HUGE, '\ud83d', 'ok\ud800\ud800');
/** A value of the wrong type, or a hostile one. */
const badValue = fc.oneof(
  badString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(deepArray(300)),
  fc.constant({ __proto__: null, toString: 1 }),
  fc.array(badString, { maxLength: 3 }),
);

/** A body as raw JSON text: every property bad, a wrong top-level type, `__proto__` keys, or deep nesting. */
const badBody = (props: string[]) =>
  fc.oneof(
    fc
      .tuple(...(props.length ? props : ['x']).map(() => badValue))
      .map((values) =>
        JSON.stringify(Object.fromEntries((props.length ? props : ['x']).map((p, i) => [p, values[i]]))),
      ),
    fc.constantFrom(42, 'text', [], null, true, [1, 2]).map((v) => JSON.stringify(v)),
    badString.map((s) => `{"__proto__":{"admin":true},${JSON.stringify(props[0] ?? 'x')}:${JSON.stringify(s)}}`),
    fc.constant(`{"constructor":{"prototype":{"admin":true}}}`),
    fc.integer({ min: 2000, max: 6000 }).map((n) => '{"a":' + '['.repeat(n) + ']'.repeat(n) + '}'),
    badString.map((s) => JSON.stringify({ [s]: 1 })),
  );
/** A path parameter no route should accept. */
const badId = fc.constantFrom(
  '__proto__',
  'constructor',
  '%00',
  '%ED%A0%80',
  'x'.repeat(150),
  '..%2f..%2fetc',
  '-1',
  '1e309',
  '%F0%9F',
  "'or'1'='1",
);
/** A query-string value no route should accept (already URL-encoded where it must be). */
const badQueryValue = fc.constantFrom(
  '%00',
  '%ED%A0%80',
  encodeURIComponent(HUGE.slice(0, 5000)),
  '-1',
  'NaN',
  '__proto__',
  '1e309',
  '%ZZ',
  'a&__proto__=1',
);

describe.each(backends())('fuzzing every OpenAPI operation (%s)', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  let operations: Operation[];
  let tables: string[];

  beforeAll(async () => {
    t = await openTestDesk(kind, { config: { rateLimitPerMinute: 0, rateLimitIpPerMinute: 0 } });
    ws = await newWorkspace(t, 'Fuzz');
    await t.server.ready();
    const doc = t.server.swagger() as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { in: string; name: string }[];
            requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
          }
        >
      >;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        return {
          method: method.toUpperCase() as Method,
          path,
          params: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          bodyProps: op.requestBody ? Object.keys(schema?.properties ?? {}) : null,
        };
      }),
    );
    const rows = (
      await t.desk.database.executeSql(
        `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE ` +
          `TABLE' order by 1`,
      )
    ).rows;
    tables = rows.map((r) => String(r.table_name)).filter((n) => !n.startsWith('__drizzle'));
  });
  afterAll(async () => t?.close());

  /** Bookkeeping a refused request may still write: the key's "last used" (the key was used, the request refused). */
  const BOOKKEEPING: Record<string, string[]> = { api_keys: ['last_used_at'] };
  const rowText = (n: string) =>
    BOOKKEEPING[n] ? `(to_jsonb(r) - array[${BOOKKEEPING[n]!.map((c) => `'${c}'`).join(', ')}])::text` : 'r::text';
  /** The digest of the rows of table `n`, as a column named after it. */
  const digestOf = (n: string) =>
    `(select md5(coalesce(string_agg(${rowText(n)}, ',' order by ${rowText(n)}), '')) from "${n}" r) as "${n}"`;
  /** One digest per table over all its rows. */
  const digest = async () => (await t.desk.database.executeSql(`select ${tables.map(digestOf).join(', ')}`)).rows[0]!;

  const check = (label: string, res: { statusCode: number; headers: Record<string, unknown>; body: string }) => {
    expect(res.statusCode, `${label} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
    if (res.statusCode < 400) return;
    expect(String(res.headers['content-type']), label).toMatch(/application\/problem\+json/);
    const problem = JSON.parse(res.body) as { code: string; status: number };
    expect(Object.keys(ERRORS), label).toContain(problem.code);
    expect(problem.status, label).toBe(res.statusCode);
  };

  const urlOf = (op: Operation, ids: string[] = [], query = '') => {
    let i = 0;
    const path = op.path.replace(/\{[^}]+\}/g, () => ids[i++] ?? '00000000-0000-4000-8000-000000000000');
    return `${path}${query}`;
  };
  const send = (op: Operation, url: string, payload?: string) =>
    t.server.inject({
      method: op.method,
      url,
      headers: {
        authorization: `Bearer ${ws.apiKey}`,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload !== undefined ? { payload } : {}),
    });

  it('answers generated bad input on every operation with a 4xx problem+json and changes no row', async () => {
    // Streams (Server-Sent Events) stay open by design; operations with nothing to fuzz are skipped.
    const fuzzable = operations.filter(
      (op) => !/stream|\/live/.test(op.path) && (op.bodyProps !== null || op.params.length || op.query.length),
    );
    expect(fuzzable.length).toBeGreaterThan(60);
    for (const op of fuzzable) {
      const label = `${op.method} ${op.path}`;
      const before = await digest();
      if (op.bodyProps !== null) {
        await fc.assert(
          fc.asyncProperty(badBody(op.bodyProps), async (body) =>
            check(`${label} body ${body.slice(0, 80)}`, await send(op, urlOf(op), body)),
          ),
          { numRuns: RUNS_PER_OPERATION, seed: SEED },
        );
      }
      if (op.params.length) {
        await fc.assert(
          fc.asyncProperty(
            fc.array(badId, { minLength: op.params.length, maxLength: op.params.length }),
            async (ids) => {
              // With a body the route refuses, so that an upsert by id (PUT …/by-external-id/…) cannot store a row.
              check(
                `${label} ids ${ids.join(',').slice(0, 80)}`,
                await send(op, urlOf(op, ids), op.bodyProps !== null ? '[]' : undefined),
              );
            },
          ),
          { numRuns: RUNS_PER_OPERATION, seed: SEED },
        );
      }
      if (op.query.length) {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...op.query, '__proto__', 'unknownParam'),
            badQueryValue,
            async (name, value) => {
              check(
                `${label} ?${name}=${value.slice(0, 40)}`,
                await send(op, urlOf(op, [], `?${name}=${value}`), op.bodyProps !== null ? '[]' : undefined),
              );
            },
          ),
          { numRuns: RUNS_PER_OPERATION, seed: SEED },
        );
      }
      expect(await digest(), `${label} changed a row`).toEqual(before);
    }
  });
});
