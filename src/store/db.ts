import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite, type Results } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzleLite } from 'drizzle-orm/pglite';
import { migrate as migrateLite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Config } from '../config.js';
import { lockDataDir } from './data-lock.js';
import { cachedPglite, type PgliteClient } from './pglite-fast.js';
import { openPgliteThread, type PgliteThread } from './pglite-thread.js';
import * as schema from './schema.js';

/** The typed database handle every repository uses (the same for PGlite and a PostgreSQL server). */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A handle usable inside or outside a transaction. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/** Raw SQL access for the job queue and the few hand-written queries: `{ rows }` like node-postgres. */
export type ExecuteSql = (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** An open database: drizzle over PGlite (embedded) or a PostgreSQL server, one schema, one set of migrations. */
export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  executeSql: ExecuteSql;
  /** Runs pending migrations (safe to call from several processes at once). */
  migrate(): Promise<void>;
  /**
   * LISTENs on a channel (PostgreSQL LISTEN/NOTIFY: a `pg_notify` inside a transaction arrives on commit,
   * in every process connected to the database). Resolves to a function that stops listening.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../src/store/migrations', import.meta.url));
const MIGRATION_LOCK = 74_201_873;

/** Opens a pool on a PostgreSQL server. */
export function openPostgres(url: string, poolSize = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    /* an idle client died; the pool replaces it */
  });
  // A client in use whose connection dies (e.g. the server restarts) fails its queries and is dropped by the
  // pool on release; without a listener its 'error' event would crash the process.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    executeSql: async (text, values) => {
      const res = await pool.query(text, values);
      return { rows: (Array.isArray(res) ? (res.at(-1)?.rows ?? []) : res.rows) as Record<string, unknown>[] };
    },
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
      } finally {
        client.release();
      }
    },
    listen: (channel, onPayload) => listenPostgres(url, channel, onPayload),
    close: () => pool.end(),
  };
}

/**
 * A dedicated connection LISTENing on `channel` (pooled connections cannot hold a LISTEN); it reconnects
 * after a lost connection, so notifications resume without the caller's help.
 */
async function listenPostgres(
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
    });
    c.on('error', () => {
      if (client !== c || stopped) return;
      client = null;
      c.end().catch(() => undefined);
      retry = setTimeout(() => void connect().catch(() => undefined), 1000);
      retry.unref();
    });
    await c.connect();
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    if (stopped) {
      await c.end();
      return;
    }
    client = c;
  };
  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    await c?.end().catch(() => undefined);
  };
}

/**
 * Opens the embedded database in `dataDir` (created if missing; in memory when undefined), taking the folder's
 * lock (`data-lock.ts`: another live process holding it is refused) until `close()`.
 * PGlite is a single session: the client's locks serialise queries and transactions, including the job queue's.
 * With `thread`, PGlite runs on a worker thread (`pglite-thread.ts`), so SQL and this thread's JavaScript
 * overlap; by default, in this thread.
 */
export async function openPglite(dataDir: string | undefined, opts: { thread?: boolean } = {}): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const release = dataDir ? lockDataDir(dataDir) : () => undefined;
  try {
    let database: Database;
    if (opts.thread) database = threadDatabase(await openPgliteThread(dataDir));
    else {
      const lite = new PGlite(dataDir);
      await lite.waitReady;
      database = pgliteDatabase(lite);
    }
    const close = database.close;
    return { ...database, close: () => close().finally(release) };
  } catch (err) {
    release();
    throw err;
  }
}

/** What an embedded database is made of: the client drizzle and the job queue use, and the session's own calls. */
interface EmbeddedParts {
  client: PgliteClient;
  exec(text: string): Promise<Results[]>;
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  closed(): boolean;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

function embeddedDatabase(parts: EmbeddedParts): Database {
  const db = drizzleLite(parts.client as unknown as PGlite, { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    executeSql: async (text, values) => {
      if (values && values.length > 0)
        return { rows: (await parts.client.query(text, values)).rows as Record<string, unknown>[] };
      const results = await parts.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
    },
    migrate: () => parts.migrate(),
    listen: async (channel, onPayload) => {
      const stop = await parts.listen(channel, onPayload);
      return async () => {
        if (!parts.closed()) await stop();
      };
    },
    close: () => parts.close(),
  };
}

/** Wraps the embedded database on its worker thread, which `close()` closes and ends. */
export function threadDatabase(thread: PgliteThread): Database {
  return embeddedDatabase({
    client: thread,
    exec: (text) => thread.exec(text),
    listen: (channel, onPayload) => thread.listen(channel, onPayload),
    closed: () => thread.closed,
    migrate: () => thread.migrate(MIGRATIONS_FOLDER),
    close: () => thread.close(),
  });
}

/** Wraps an open PGlite instance, which `close()` closes. */
export function pgliteDatabase(lite: PGlite): Database {
  const client = cachedPglite(lite);
  return embeddedDatabase({
    client,
    exec: (text) => lite.exec(text),
    listen: (channel, onPayload) => client.listen(channel, onPayload),
    closed: () => lite.closed,
    migrate: async () => {
      await migrateLite(drizzleLite(lite, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    },
    close: () => lite.close(),
  });
}

/** Opens the database the configuration names (server when DATABASE_URL is set, else embedded) and migrates it. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize' | 'pgliteThread'>,
): Promise<Database> {
  const database = config.databaseUrl
    ? openPostgres(config.databaseUrl, config.databasePoolSize)
    : await openPglite(config.dataDir, { thread: config.pgliteThread });
  try {
    await database.migrate();
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}
