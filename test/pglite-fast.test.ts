import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedPglite, type PgliteClient } from '../src/store/pglite-fast.js';
import { TEMPLATE_DIR } from './template.js';

/** The prepared-statement client gives PGlite's own results, errors and transactions. */
describe('cached PGlite client', () => {
  let dir: string;
  let lite: PGlite;
  let client: PgliteClient;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'deskmind-fast-'));
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    lite = new PGlite(dir);
    await lite.waitReady;
    await lite.exec(`create table fast_t (id serial primary key, name text unique, data jsonb, tags text[], n numeric, at timestamptz, b bytea, ok boolean)`);
    client = cachedPglite(lite, { maxStatements: 3 });
  });
  afterAll(async () => {
    await lite?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = `insert into fast_t (name, data, tags, n, at, b, ok) values ($1, $2, $3, $4, $5, $6, $7) returning *`;
  const values = (name: string) => [name, { nested: [1, 'two', null] }, ['a', 'b,c', 'd"e'], '12.50', new Date('2026-01-02T03:04:05.678Z'), new Uint8Array([0, 1, 255]), true];

  it('returns the same rows as PGlite.query, in object and array mode, with typed values and nulls', async () => {
    const mine = await client.query(insert, values('one'));
    const theirs = await lite.query(insert, values('two'));
    const strip = (r: Record<string, unknown>) => ({ ...r, id: 0, name: '' });
    expect(strip(mine.rows[0] as Record<string, unknown>)).toEqual(strip(theirs.rows[0] as Record<string, unknown>));
    expect(mine.fields).toEqual(theirs.fields);
    expect(mine.affectedRows).toBe(1);
    const asArray = await client.query(`select name, data, null::text as nothing from fast_t where name = $1`, ['one'], { rowMode: 'array' });
    expect(asArray.rows).toEqual([['one', { nested: [1, 'two', null] }, null]]);
    // Caller parsers win over PGlite's (drizzle keeps timestamps as text this way).
    const raw = await client.query<{ at: unknown }>(`select at from fast_t where name = $1`, ['one'], { parsers: { 1184: (v: string) => `raw:${v}` } });
    expect(String(raw.rows[0]!.at)).toMatch(/^raw:2026-01-02/);
  });

  it('keeps working past its statement cache, and after errors inside and outside transactions', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await client.query(`select $1::int + ${i} as v`, [i]);
      expect(r.rows).toEqual([{ v: 2 * i }]);
    }
    await expect(client.query(insert, values('one'))).rejects.toMatchObject({ code: '23505' });
    await expect(client.query('select * from no_such_table')).rejects.toThrow(/no_such_table/);
    await expect(
      client.transaction(async (tx) => {
        await tx.query(insert, values('three'));
        await tx.query(insert, values('one')); // duplicate: the transaction rolls back
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await client.query(`select count(*)::int as n from fast_t where name = 'three'`)).rows).toEqual([{ n: 0 }]);
    await client.transaction(async (tx) => {
      await tx.query(insert, values('four'));
    });
    const updated = await client.query(`update fast_t set ok = false where name in ($1, $2)`, ['one', 'four']);
    expect(updated.affectedRows).toBe(2);
  });
});
