/**
 * While the database cannot be reached, the API answers 503 `not_ready` with `Retry-After` (never 500), and a
 * retry with the same Idempotency-Key after it is back makes one ticket. On a PostgreSQL server behind a TCP
 * proxy that is cut (the shared test server itself is never stopped), and on PGlite once it is closed.
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Deskmind } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/server/server.js';
import { openPostgres } from '../src/store/db.js';
import { backends, openTestDesk } from './helpers.js';

const config = loadConfig({ logLevel: 'silent' });
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A TCP proxy to `target` that can be cut (every connection dropped, new ones refused) and restored. */
async function cuttableProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await open();
  return {
    get port() {
      return port;
    },
    async cut() {
      const s = server!;
      server = null;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    restore: open,
  };
}

const expectNotReady = (res: { statusCode: number; headers: Record<string, unknown>; json: () => any }) => {
  expect(res.statusCode).toBe(503);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.json().code).toBe('not_ready');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
};

const ticket = (key: string) => ({
  subject: `Charged twice ${key}`,
  message: { text: 'I was charged twice this month.' },
  customer: { email: 'down@example.com' },
});

describe.skipIf(!backends().includes('postgres'))('the PostgreSQL server cannot be reached', () => {
  it('answers 503 not_ready with Retry-After, and a retry with the same Idempotency-Key makes one ticket', async () => {
    const admin = new URL(config.testDatabaseUrl!);
    const name = `deskmind_down_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    cleanups.push(async () => {
      const d = new pg.Client({ connectionString: admin.toString() });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    });
    const proxy = await cuttableProxy(admin);
    const url = new URL(admin);
    url.host = `127.0.0.1:${proxy.port}`;
    url.pathname = `/${name}`;
    const database = openPostgres(url.toString(), 4);
    await database.migrate();
    const desk = await Deskmind.open({
      config: loadConfig({ logLevel: 'silent', apiKeyCacheSeconds: 0 }),
      database,
      worker: false,
    });
    const server = await buildServer(desk);
    cleanups.push(async () => {
      await server.close();
      await desk.close().catch(() => undefined);
    });
    const { apiKey } = await desk.createWorkspace('Down');
    const post = (key: string) =>
      server.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: { authorization: `Bearer ${apiKey}`, 'idempotency-key': key },
        payload: ticket(key),
      });

    expect((await post('before')).statusCode).toBe(201);
    await proxy.cut();
    expectNotReady(await post('during'));
    expectNotReady(
      await server.inject({ method: 'GET', url: '/api/v1/tickets', headers: { authorization: `Bearer ${apiKey}` } }),
    );
    expectNotReady(await server.inject({ method: 'GET', url: '/readyz' }));
    await proxy.restore();

    let retried = await post('during');
    for (let i = 0; retried.statusCode === 503 && i < 50; i++) retried = await post('during'); // the pool reconnects
    expect(retried.statusCode).toBe(201);
    expect((await post('during')).headers['idempotent-replayed']).toBe('true');
    const { rows } = await database.executeSql(`select count(*)::int n from tickets where subject = $1`, [
      'Charged twice during',
    ]);
    expect(rows[0]!.n).toBe(1);
  });
});

describe('the embedded database is closed', () => {
  it('answers 503 not_ready with Retry-After, not 500', async () => {
    const t = await openTestDesk('pglite', { config: { apiKeyCacheSeconds: 60 } });
    const { apiKey } = await t.desk.createWorkspace('Closed');
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/tickets', headers: { authorization: `Bearer ${apiKey}` } }))
        .statusCode,
    ).toBe(200);
    await t.desk.database.close();
    try {
      expectNotReady(
        await t.server.inject({
          method: 'POST',
          url: '/api/v1/tickets',
          headers: { authorization: `Bearer ${apiKey}` },
          payload: ticket('closed'),
        }),
      );
      expectNotReady(
        await t.server.inject({
          method: 'GET',
          url: '/api/v1/tickets',
          headers: { authorization: `Bearer ${apiKey}` },
        }),
      );
      expectNotReady(
        await t.server.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'a@example.com', password: 'x' },
        }),
      );
    } finally {
      await t.server.close();
    }
  });
});
