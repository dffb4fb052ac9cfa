import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { Deskmind } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import type { OutboundGuard } from '../src/security/outbound-url.js';
import { buildServer } from '../src/server/server.js';
import { openPglite, openPostgres, type Database } from '../src/store/db.js';
import { TEMPLATE_DIR } from './template.js';

const testConfig = loadConfig({ logLevel: 'silent' });

/** The databases the storage and API suites run on: PGlite always, a PostgreSQL server when configured. */
export function backends(): ('pglite' | 'postgres')[] {
  if (testConfig.testDatabaseUrl) return ['pglite', 'postgres'];
  if (testConfig.testRequirePostgres) {
    throw new Error(
      'DESKMIND_TEST_REQUIRE_POSTGRES is set but DESKMIND_TEST_DATABASE_URL is missing: the PostgreSQL suites ' +
        'cannot run',
    );
  }
  return ['pglite'];
}

/** A fresh, migrated database: a copy of the PGlite template, or a new database on the server. */
export async function openTestDatabase(
  kind: 'pglite' | 'postgres',
): Promise<Database & { cleanup: () => Promise<void>; dataDir?: string }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-test-'));
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    // DESKMIND_PGLITE_THREAD=true runs the suites with PGlite on its own worker thread.
    const database = await openPglite(dir, { thread: testConfig.pgliteThread });
    await database.migrate();
    return { ...database, dataDir: dir, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = new URL(testConfig.testDatabaseUrl!);
  const name = `deskmind_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const database = openPostgres(dbUrl.toString(), 5);
  await database.migrate();
  return {
    ...database,
    cleanup: async () => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A controllable clock. */
export function testClock(start = new Date('2026-06-01T09:00:00.000Z')) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
    set(d: Date) {
      t = d.getTime();
    },
  };
}

export interface TestDesk {
  desk: Deskmind;
  server: FastifyInstance;
  close(): Promise<void>;
}

/** A Deskmind with its HTTP server (for `server.inject`), on a fresh database; no background worker. */
export async function openTestDesk(
  kind: 'pglite' | 'postgres',
  opts: { now?: () => Date; config?: Partial<Config>; outbound?: OutboundGuard } = {},
): Promise<TestDesk> {
  const database = await openTestDatabase(kind);
  const desk = await Deskmind.open({
    config: loadConfig({ logLevel: 'silent', answerSemantic: false, intentMemory: false, ...opts.config }),
    database,
    worker: false,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.outbound ? { outbound: opts.outbound } : {}),
  });
  const server = await buildServer(desk);
  return {
    desk,
    server,
    async close() {
      await server.close();
      await desk.close();
      await database.cleanup();
    },
  };
}

/** Creates a workspace and returns its id and admin key with a helper to call the API. */
export async function newWorkspace(t: TestDesk, name = 'Acme') {
  const { workspace, apiKey } = await t.desk.createWorkspace(name);
  const call = async (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await t.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${apiKey}`, ...headers },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? safeJson(res.body) : null, headers: res.headers };
  };
  return { workspaceId: workspace.id, apiKey, call };
}

function safeJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The headers a console client sends after logging in: both cookies and the CSRF token echoed from `deskmind_csrf`. */
export function sessionHeaders(login: { headers: Record<string, unknown> }): {
  cookie: string;
  'x-csrf-token': string;
} {
  const raw = login.headers['set-cookie'];
  const list = (Array.isArray(raw) ? raw : [String(raw)]).map((c) => String(c).split(';')[0]!);
  const csrf = list.find((c) => c.startsWith('deskmind_csrf='))?.slice('deskmind_csrf='.length) ?? '';
  return { cookie: list.join('; '), 'x-csrf-token': csrf };
}
