import { randomUUID } from 'node:crypto';
import { asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgCode } from '../src/store/pg-errors.js';
import { bulkInsert, bulkUpdate } from '../src/store/bulk.js';
import { customers, decisions, events, messages, ticketColumns, tickets, workspaces } from '../src/store/schema.js';
import { backends, openTestDatabase } from './helpers.js';

/** Text drivers and JSON find awkward: quotes, backslashes, array and JSON punctuation, escapes, non-ASCII. */
const AWKWARD = [
  `it's "quoted" \\ back\\slash \\\\ {braces}, [brackets] (parens)`,
  'NULL',
  '',
  ' leading and trailing ',
  'line\nbreak\ttab\r\n',
  'émoji 🎫 עברית 中文 \u202e rtl \u200b zero-width',
  '\\u0041 is not an escape here',
  'lone surrogate \ud800 becomes U+FFFD',
];

describe.each(backends())('bulkInsert on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let workspaceId: string;
  let ticketId: string;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    [{ id: workspaceId }] = (await database.db
      .insert(workspaces)
      .values({ name: 'Bulk' })
      .returning({ id: workspaces.id })) as [{ id: string }];
    [{ id: ticketId }] = (await database.db
      .insert(tickets)
      .values({ workspaceId, subject: 'Bulk' })
      .returning({ id: tickets.id })) as [{ id: string }];
  });
  afterAll(async () => database?.cleanup());

  it('inserts nothing for no rows', async () => {
    expect(await bulkInsert(database.db, events, [], { returning: { id: events.id } })).toEqual([]);
  });

  it('stores awkward values exactly as drizzle `values` does, and returns them in order', async () => {
    const at = new Date('2026-06-01T09:00:00.123Z');
    // jsonb refuses a lone surrogate (see below); text stores it as U+FFFD.
    const jsonSafe = AWKWARD.slice(0, -1);
    const data = (i: number) => ({
      text: jsonSafe[i % jsonSafe.length],
      nested: { list: [1, 2.5, -0, 1e21, true, false, null, 'x', { deep: jsonSafe }], empty: {}, none: [] },
      'key "with" quotes\\': 'v',
      ünïcödé: '🎫',
      at: at.toISOString(),
    });
    const rows = (mark: string) =>
      AWKWARD.map((subject, i) => ({
        workspaceId,
        ticketId: i % 3 === 0 ? null : ticketId,
        type: `bulk.${mark}`,
        actorType: 'agent' as const,
        actorId: i % 2 ? subject : null,
        data: data(i),
        createdAt: new Date(at.getTime() + i),
      }));
    const viaDrizzle = await database.db
      .insert(events)
      .values(rows('drizzle'))
      .returning({ id: events.id, createdAt: events.createdAt });
    const viaBulk = await bulkInsert(database.db, events, rows('bulk'), {
      returning: { id: events.id, createdAt: events.createdAt },
    });
    expect(viaBulk.map((r) => r.createdAt)).toEqual(viaDrizzle.map((r) => r.createdAt));
    // Ids are assigned in the rows' order.
    expect(viaBulk.map((r) => r.id)).toEqual([...viaBulk.map((r) => r.id)].sort((a, b) => a - b));
    expect(viaBulk.every((r) => typeof r.id === 'number')).toBe(true);

    const stored = async (mark: string) =>
      (
        await database.db
          .select()
          .from(events)
          .where(eq(events.type, `bulk.${mark}`))
          .orderBy(asc(events.id))
      ).map(({ id: _id, type: _type, ...rest }) => rest);
    const [a, b] = [await stored('drizzle'), await stored('bulk')];
    expect(b).toEqual(a);
    expect(b[7]!.actorId).toBe('lone surrogate \ufffd becomes U+FFFD');
    expect(b[1]!.data).toEqual(JSON.parse(JSON.stringify(data(1)))); // -0 is stored as 0, as JSON writes it
  });

  it(
    'stores NULLs, empty and awkward text arrays, NaN and timestamps as drizzle does (tickets, with a computed ' +
      'column)',
    async () => {
      const now = new Date('2026-06-01T09:00:00.001Z');
      const row = (i: number) => ({
        id: randomUUID(),
        workspaceId,
        subject: AWKWARD[i % AWKWARD.length]!,
        tags: i % 2 ? [] : [...AWKWARD.slice(0, 7), 'a,b', '{x}', '"'],
        pageContext: i % 2 ? null : { url: 'https://example.com/?q="x"\\', title: AWKWARD[5] },
        externalId: i % 2 ? null : `ext-${randomUUID()}`,
        intentConfidence: i === 0 ? Number.NaN : i === 2 ? Number.POSITIVE_INFINITY : i / 3,
        firstResponseDueAt: i % 2 ? null : new Date(now.getTime() + i),
        lastMessageAt: now,
        createdAt: now,
        updatedAt: now,
      });
      const rowsA = AWKWARD.map((_, i) => row(i));
      const rowsB = AWKWARD.map((_, i) => row(i));
      const search = (subject: unknown, text: unknown) =>
        sql`setweight(to_tsvector('english', ${subject}), 'A') || to_tsvector('english', ${text})`;
      await database.db.insert(tickets).values(rowsA.map((r) => ({ ...r, search: search(r.subject, 'body words') })));
      const returned = await bulkInsert(
        database.db,
        tickets,
        rowsB.map((r) => ({ ...r, searchText: 'body words' })),
        {
          computed: {
            search: (f) => {
              const weighted = sql`setweight(to_tsvector('english', ${f('subject')}), 'A')`;
              return sql`${weighted} || to_tsvector('english', ${f('searchText')})`;
            },
          },
          extraFields: { searchText: 'text' },
          returning: ticketColumns,
        },
      );
      const read = async (ids: string[]) => {
        const found = await database.db
          .select({ ...ticketColumns, search: sql<string>`${tickets.search}::text` })
          .from(tickets)
          .where(inArray(tickets.id, ids));
        return ids.map((id) => {
          const { id: _id, externalId: _e, ...rest } = found.find((t) => t.id === id)!;
          return rest;
        });
      };
      const [a, b] = [await read(rowsA.map((r) => r.id)), await read(rowsB.map((r) => r.id))];
      expect(b).toEqual(a);
      expect(b[0]!.intentConfidence).toBeNaN();
      expect(b[2]!.intentConfidence).toBe(Number.POSITIVE_INFINITY);
      expect(b[1]!.pageContext).toBeNull();
      expect(b[0]!.tags).toEqual([...AWKWARD.slice(0, 7), 'a,b', '{x}', '"']);
      expect(b[0]!.search).toContain("'word':");
      // JSON null is SQL NULL (as drizzle sends it), not a JSON null.
      const nulls = await database.executeSql(
        `select count(*)::int as n from tickets where id = any($1::uuid[]) and page_context is null`,
        [rowsB.map((r) => r.id)],
      );
      expect(nulls.rows[0]!.n).toBe(rowsB.filter((r) => r.pageContext === null).length);
      // What the insert returns is what a read gives.
      const { search: _s, ...rereadFirst } = b[0]!;
      const { id: _id, externalId: _ext, ...returnedFirst } = returned[0]!;
      expect(returnedFirst).toEqual(rereadFirst);
      expect(returned.map((r) => r.id)).toEqual(rowsB.map((r) => r.id));
    },
  );

  it(
    'fills defaults: database defaults for columns no row gives, JavaScript defaults and NULL for columns some ' +
      'rows leave out',
    async () => {
      const runId = randomUUID();
      const rows = [
        { workspaceId, ticketId, runId, stage: 'a', ok: true, result: {}, modelVersion: 'm1', durationMs: 3.5 },
        { workspaceId, ticketId, runId, stage: 'b', ok: false, result: { error: 'x' } },
      ];
      const before = Date.now();
      const returned = await bulkInsert(database.db, decisions, rows, {
        returning: { id: decisions.id, stage: decisions.stage, createdAt: decisions.createdAt },
      });
      expect(returned.map((r) => r.stage)).toEqual(['a', 'b']);
      expect(returned.every((r) => /^[0-9a-f-]{36}$/.test(r.id))).toBe(true);
      expect(returned[0]!.createdAt.getTime()).toBeGreaterThan(before - 60_000);
      const stored = await database.db
        .select()
        .from(decisions)
        .where(eq(decisions.runId, runId))
        .orderBy(asc(decisions.stage));
      expect(stored.map((d) => [d.modelVersion, d.durationMs])).toEqual([
        ['m1', 3.5],
        [null, 0],
      ]);
      // A database-side default cannot be asked for one row of the set.
      await expect(
        bulkInsert(database.db, decisions, [
          { ...rows[0]!, stage: 'c', createdAt: new Date() },
          { ...rows[0]!, stage: 'd' },
        ]),
      ).rejects.toThrow(/default is computed by the database/);
    },
  );

  it(
    'skips conflicting rows with onConflictDoNothing and returns only those inserted; fails on a conflict ' +
      'without it',
    async () => {
      const runId = randomUUID();
      const row = (stage: string) => ({ workspaceId, ticketId, runId, stage, ok: true, result: { stage } });
      const returning = { stage: decisions.stage };
      expect(
        await bulkInsert(database.db, decisions, [row('a'), row('b')], { onConflictDoNothing: true, returning }),
      ).toEqual([{ stage: 'a' }, { stage: 'b' }]);
      expect(
        await bulkInsert(database.db, decisions, [row('a'), row('c'), row('b'), row('d')], {
          onConflictDoNothing: true,
          returning,
        }),
      ).toEqual([{ stage: 'c' }, { stage: 'd' }]);
      expect(await bulkInsert(database.db, decisions, [row('a')], { onConflictDoNothing: true, returning })).toEqual(
        [],
      );
      const err = await bulkInsert(database.db, decisions, [row('e'), row('a')], { returning }).catch(
        (e: unknown) => e,
      );
      expect(pgCode(err)).toBe('23505');
      expect(
        (await database.db.select().from(decisions).where(eq(decisions.runId, runId))).map((d) => d.stage).sort(),
      ).toEqual(['a', 'b', 'c', 'd']);
    },
  );

  it('rejects a NUL character (text and jsonb) and a lone surrogate in jsonb, as drizzle `values` does', async () => {
    const base = { workspaceId, ticketId, authorType: 'customer' as const, bodyText: 'ok', createdAt: new Date() };
    for (const row of [
      { ...base, bodyText: 'nul \u0000 here' },
      { ...base, pageContext: { url: 'nul \u0000 here' } as never },
      { ...base, pageContext: { url: 'lone \udc00 surrogate' } as never },
    ]) {
      await expect(database.db.insert(messages).values([row])).rejects.toThrow();
      await expect(bulkInsert(database.db, messages, [row])).rejects.toThrow();
    }
  });

  it('inserts one row, and many rows with one statement text (whole rows returned, as `.returning()`)', async () => {
    const make = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: randomUUID(),
        workspaceId,
        email: `${randomUUID()}@example.com`,
        name: i % 2 ? null : `Name ${i}`,
        externalId: null,
        locale: null,
        accountId: null,
        attributes: { i },
      }));
    const one = make(1);
    const [single] = await bulkInsert(database.db, customers, one, { returning: getTableColumns(customers) });
    const [reread] = await database.db.select().from(customers).where(eq(customers.id, one[0]!.id));
    expect(single).toEqual(reread);
    const many = make(300);
    const inserted = await bulkInsert(database.db, customers, many, {
      returning: { id: customers.id, attributes: customers.attributes },
    });
    expect(inserted).toEqual(many.map((r) => ({ id: r.id, attributes: r.attributes })));
  });
  it(
    'bulkUpdate sets each row its own columns, as drizzle `update` would, and leaves the columns a row ' + 'omits',
    async () => {
      const ids = (
        await database.db
          .insert(tickets)
          .values(
            [0, 1, 2].map((i) => ({
              workspaceId,
              subject: `Update ${i}`,
              tags: ['keep'],
              intent: 'billing',
              intentConfidence: 0.5,
            })),
          )
          .returning({ id: tickets.id })
      ).map((r) => r.id);
      const due = new Date('2026-07-01T10:00:00.456Z');
      await bulkUpdate(database.db, tickets, [
        { id: ids[0]!, status: 'open', tags: ['a,b', '{x}', '"', AWKWARD[0]!], intentConfidence: null },
        { id: ids[1]!, status: 'open', tags: [], intentConfidence: 0.25 },
        { id: ids[2]!, priority: 'urgent', firstResponseDueAt: due, subject: AWKWARD[5]! },
      ]);
      const rows = await database.db
        .select(ticketColumns)
        .from(tickets)
        .where(inArray(tickets.id, ids))
        .orderBy(asc(tickets.subject));
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(ids[0]!)).toMatchObject({
        status: 'open',
        tags: ['a,b', '{x}', '"', AWKWARD[0]],
        intent: 'billing',
        intentConfidence: null,
        subject: 'Update 0',
      });
      expect(byId.get(ids[1]!)).toMatchObject({ status: 'open', tags: [], intentConfidence: 0.25, intent: 'billing' });
      expect(byId.get(ids[2]!)).toMatchObject({
        status: 'new',
        priority: 'urgent',
        tags: ['keep'],
        intentConfidence: 0.5,
        subject: AWKWARD[5],
      });
      expect(byId.get(ids[2]!)!.firstResponseDueAt?.toISOString()).toBe(due.toISOString());
      // Nothing to set: nothing written.
      await bulkUpdate(database.db, tickets, [{ id: ids[0]! }]);
      expect(
        (await database.db.select({ status: tickets.status }).from(tickets).where(eq(tickets.id, ids[0]!)))[0]!.status,
      ).toBe('open');
    },
  );
});
