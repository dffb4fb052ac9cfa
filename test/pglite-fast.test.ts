import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { openPglite } from '../src/store/db.js';
import { cachedPglite, type PgliteClient } from '../src/store/pglite-fast.js';
import { openPgliteThread } from '../src/store/pglite-thread.js';
import { waitFor } from './helpers-wait.js';
import { TEMPLATE_DIR } from './template.js';

const TABLE =
  `create table fast_t (id serial primary key, name text unique, data jsonb, tags text[], n numeric, ` +
  `at timestamptz, b bytea, ok boolean)`;

const copyTemplate = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-fast-'));
  cpSync(TEMPLATE_DIR, dir, { recursive: true });
  return dir;
};

/** One of the two clients, with what the shared assertions need besides `query` and `transaction`. */
interface Harness {
  client: PgliteClient;
  exec(text: string): Promise<unknown>;
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const harnesses: [string, (dir: string) => Promise<Harness>][] = [
  [
    'in this thread',
    async (dir) => {
      const lite = new PGlite(dir);
      await lite.waitReady;
      const client = cachedPglite(lite, { maxStatements: 3 });
      return {
        client,
        exec: (text) => lite.exec(text),
        listen: (channel, fn) => client.listen(channel, fn),
        close: () => lite.close(),
      };
    },
  ],
  [
    'on a worker thread',
    async (dir) => {
      const thread = await openPgliteThread(dir, { maxStatements: 3 });
      return {
        client: thread,
        exec: (text) => thread.exec(text),
        listen: (c, fn) => thread.listen(c, fn),
        close: () => thread.close(),
      };
    },
  ],
];

/** Both prepared-statement clients give PGlite's own results, errors and transaction semantics. */
describe.each(harnesses)('cached PGlite client %s', (_name, open) => {
  let dir: string;
  let refDir: string;
  let ref: PGlite;
  let h: Harness;
  let client: PgliteClient;

  beforeAll(async () => {
    dir = copyTemplate();
    refDir = copyTemplate();
    ref = new PGlite(refDir);
    await ref.waitReady;
    await ref.exec(TABLE);
    h = await open(dir);
    await h.exec(TABLE);
    client = h.client;
  });
  afterAll(async () => {
    await h?.close();
    await ref?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(refDir, { recursive: true, force: true });
  });

  const insert = `insert into fast_t (name, data, tags, n, at, b, ok) values ($1, $2, $3, $4, $5, $6, $7) returning *`;
  const values = (name: string) => [
    name,
    { nested: [1, 'two', null] },
    ['a', 'b,c', 'd"e'],
    '12.50',
    new Date('2026-01-02T03:04:05.678Z'),
    new Uint8Array([0, 1, 255]),
    true,
  ];

  it('returns the same rows as PGlite.query, in object and array mode, with typed values and nulls', async () => {
    const mine = await client.query(insert, values('one'));
    const theirs = await ref.query(insert, values('one'));
    expect(mine.rows).toEqual(theirs.rows);
    expect((mine.rows[0] as { b: unknown }).b).toBeInstanceOf(Uint8Array);
    expect((mine.rows[0] as { at: unknown }).at).toBeInstanceOf(Date);
    expect(mine.fields).toEqual(theirs.fields);
    expect(mine.affectedRows).toBe(1);
    const asArray = await client.query(
      `select name, data, null::text as nothing from fast_t where name = $1`,
      ['one'],
      { rowMode: 'array' },
    );
    expect(asArray.rows).toEqual([['one', { nested: [1, 'two', null] }, null]]);
    // Caller parsers win over PGlite's (drizzle keeps timestamps as text this way).
    const raw = await client.query<{ at: unknown }>(`select at from fast_t where name = $1`, ['one'], {
      parsers: { 1184: (v: string) => `raw:${v}` },
    });
    expect(String(raw.rows[0]!.at)).toMatch(/^raw:2026-01-02/);
    // Array types of the database (loaded when the client opens), as parameters and results.
    const arrays = await client.query(`select $1::int[] as ints, $2::timestamptz[] as ats`, [
      [1, 2],
      [new Date('2026-01-02T00:00:00Z')],
    ]);
    const refArrays = await ref.query(`select $1::int[] as ints, $2::timestamptz[] as ats`, [
      [1, 2],
      [new Date('2026-01-02T00:00:00Z')],
    ]);
    expect(arrays.rows).toEqual(refArrays.rows);
  });

  it('reads answers that span several output chunks, multi-byte text, and the rows an update affects', async () => {
    // About 700 KB of rows, far more than one chunk of the backend's output, with text of 1–4 byte characters.
    const big = `select g, repeat($1::text, 1500 + g) as s from generate_series(1, 100) g`;
    const text = 'aé€😀';
    const [mine, theirs] = [await client.query(big, [text]), await ref.query(big, [text])];
    expect(mine.rows).toHaveLength(100);
    expect(mine.rows).toEqual(theirs.rows);
    const echo = await client.query<{ v: string; n: number }>(`select $1::text as v, length($1::text) as n`, [
      text.repeat(5000),
    ]);
    expect(echo.rows).toEqual([{ v: text.repeat(5000), n: 20000 }]);
    await client.query(insert, values('chunk-a'));
    await client.query(insert, values('chunk-b'));
    const updated = await client.query(`update fast_t set ok = not ok where name like 'chunk-%'`);
    expect(updated).toMatchObject({ rows: [], affectedRows: 2 });
  });

  it('keeps working past its statement cache, and after errors inside and outside transactions', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await client.query(`select $1::int + ${i} as v`, [i]);
      expect(r.rows).toEqual([{ v: 2 * i }]);
    }
    const duplicate = await client.query(insert, values('one')).catch((err: unknown) => err);
    const refDuplicate = await ref.query(insert, values('one')).catch((err: unknown) => err);
    expect(duplicate).toBeInstanceOf((refDuplicate as object).constructor);
    expect(duplicate).toMatchObject({
      code: '23505',
      constraint: 'fast_t_name_key',
      table: 'fast_t',
      severity: 'ERROR',
    });
    await expect(client.query('select * from no_such_table')).rejects.toThrow(/no_such_table/);
    await expect(
      client.transaction(async (tx) => {
        await tx.query(insert, values('three'));
        await tx.query(insert, values('one')); // duplicate: the transaction rolls back
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await client.query(`select count(*)::int as n from fast_t where name = 'three'`)).rows).toEqual([{ n: 0 }]);
    // An error of the caller's own rolls back as well.
    await expect(
      client.transaction(async (tx) => {
        await tx.query(insert, values('three'));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await client.query(`select count(*)::int as n from fast_t where name = 'three'`)).rows).toEqual([{ n: 0 }]);
    await client.transaction(async (tx) => {
      await tx.query(insert, values('four'));
    });
    const updated = await client.query(`update fast_t set ok = false where name in ($1, $2)`, ['one', 'four']);
    expect(updated.affectedRows).toBe(2);
  });

  it('makes a statement outside a transaction wait for it, and runs the statements inside in order', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const tx = client.transaction(async (t) => {
      await t.query(insert, values('five'));
      entered();
      await gate;
      // Sent together, answered in order.
      const ids = await Promise.all([1, 2, 3].map((i) => t.query<{ v: number }>(`select $1::int as v`, [i])));
      order.push(`tx ${ids.map((r) => r.rows[0]!.v).join(',')}`);
    });
    await inside;
    const outside = client
      .query<{ n: number }>(`select count(*)::int as n from fast_t where name = 'five'`)
      .then((r) => {
        order.push(`outside saw ${r.rows[0]!.n}`);
      });
    // A gap, not a wait: a statement that did not wait would be answered within it; a slow machine can only hide
    // that, never fail this.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    release();
    await Promise.all([tx, outside]);
    expect(order).toEqual(['tx 1,2,3', 'outside saw 1']);
  });

  it('delivers a notification when its transaction commits, and none for a rolled back one', async () => {
    const heard: string[] = [];
    const stop = await h.listen('fast_channel', (payload) => heard.push(payload));
    // Waits on a notification, with no deadline; they arrive in order, so once a later one is heard, one that was
    // wrongly sent before it would have been heard too.
    const heardUpTo = (payload: string) => waitFor(() => heard.includes(payload), 5);
    await client.transaction(async (tx) => {
      await tx.query(`select pg_notify('fast_channel', $1)`, ['committed']);
      // A gap, not a wait: a notification delivered before the commit would arrive within it; a slow machine can
      // only hide that, never fail this.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(heard).toEqual([]);
    });
    await expect(
      client.transaction(async (tx) => {
        await tx.query(`select pg_notify('fast_channel', $1)`, ['rolled back']);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await client.query(`select pg_notify('fast_channel', $1)`, ['outside']);
    await heardUpTo('outside');
    expect(heard).toEqual(['committed', 'outside']);
    // Read on the fast path with the rows of the same answer (multi-byte text intact, in order).
    const res = await client.query<{ answer: number }>(
      `select 42 as answer from (select pg_notify('fast_channel', $1) union all select pg_notify('fast_channel', ` +
        `$2)) n`,
      ['héllo ✓', 'second'],
    );
    expect(res.rows).toEqual([{ answer: 42 }, { answer: 42 }]);
    await heardUpTo('second');
    expect(heard).toEqual(['committed', 'outside', 'héllo ✓', 'second']);
    // An answer with an error and a notification: the error is thrown, the notification of the failed statement never
    // sent.
    await expect(client.query(`select pg_notify('fast_channel', $1), 1 / 0`, ['failed'])).rejects.toThrow(
      /division by zero/,
    );
    await client.query(`select pg_notify('fast_channel', $1)`, ['after failed']);
    await heardUpTo('after failed');
    expect(heard).toEqual(['committed', 'outside', 'héllo ✓', 'second', 'after failed']);
    await stop();
    // A stopped listener hears nothing more: another one, listening after it stopped, hears the next notification.
    const later: string[] = [];
    const stopLater = await h.listen('fast_channel', (payload) => later.push(payload));
    await client.query(`select pg_notify('fast_channel', $1)`, ['after stop']);
    await waitFor(() => later.includes('after stop'), 5);
    expect(heard).toEqual(['committed', 'outside', 'héllo ✓', 'second', 'after failed']);
    await stopLater();
  });
});

describe('PGlite on a worker thread', () => {
  it('closes cleanly: PGlite closes, the thread ends, later statements fail', async () => {
    const dir = copyTemplate();
    try {
      const thread = await openPgliteThread(dir);
      const exited = new Promise<number>((resolve) => thread.worker.once('exit', resolve));
      // A statement already queued when close is called runs first.
      const last = thread.query<{ v: number }>('select 1 as v');
      await thread.close();
      expect((await last).rows).toEqual([{ v: 1 }]);
      expect(thread.closed).toBe(true);
      expect(typeof (await exited)).toBe('number');
      await expect(thread.query('select 1')).rejects.toThrow(/closed/);
      await thread.close();
      // The folder was closed properly: it opens again with the data.
      const again = await openPgliteThread(dir);
      expect((await again.query('select 2 as v')).rows).toEqual([{ v: 2 }]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects pending and later statements with a clear error when the thread dies', async () => {
    const dir = copyTemplate();
    try {
      const thread = await openPgliteThread(dir);
      // A statement that never ends by itself within the test, so only the thread's death can end it; the gap lets it
      // reach the thread (were it still queued, it is pending all the same: a slow machine cannot fail this).
      const pending = thread.query(`select pg_sleep(3600)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await thread.worker.terminate();
      await expect(pending).rejects.toThrow(/embedded database thread stopped/);
      await expect(thread.query('select 1')).rejects.toThrow(/embedded database thread stopped/);
      await expect(thread.transaction(async (tx) => tx.query('select 1'))).rejects.toThrow(
        /embedded database thread stopped/,
      );
      await thread.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backs the Database: migrations on the thread, multi-statement SQL, and LISTEN through `listen`', async () => {
    const dir = copyTemplate();
    try {
      const database = await openPglite(dir);
      await database.migrate();
      const rows = await database.executeSql(
        `create table mt (n int); insert into mt values (1), (2); select sum(n)::int as s from mt`,
      );
      expect(rows.rows).toEqual([{ s: 3 }]);
      const heard: string[] = [];
      const stop = await database.listen('db_channel', (p) => heard.push(p));
      await database.executeSql(`select pg_notify('db_channel', $1)`, ['hi']);
      await waitFor(() => heard.length > 0, 5);
      expect(heard).toEqual(['hi']);
      await database.close();
      await stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is off by default and turned on by DESKMIND_PGLITE_THREAD=true', () => {
    expect(loadConfig({}, {}).pgliteThread).toBe(false);
    expect(loadConfig({}, { DESKMIND_PGLITE_THREAD: 'true' }).pgliteThread).toBe(true);
  });
});
