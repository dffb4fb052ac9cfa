/**
 * Group commit of ticket creation: tickets that arrive while a group is being written are written together
 * in one transaction, and each caller gets exactly its own result or error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommit, padToPowerOfTwo, powerOfTwoChunks, type Outcome } from '../src/ingest/group-commit.js';
import { slaTargets } from '../src/sla/state.js';
import type { TicketCreate } from '../src/domain/schemas.js';
import { TicketCreateSchema } from '../src/domain/schemas.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

describe('GroupCommit', () => {
  it(
    'writes the first call at once and the calls that arrive meanwhile together, each with its own ' + 'outcome',
    async () => {
      const groups: number[][] = [];
      const gate: { open?: () => void } = {};
      const group = new GroupCommit<number, string>({
        maxSize: 3,
        write: async (inputs) => {
          groups.push(inputs);
          if (groups.length === 1) await new Promise<void>((r) => (gate.open = r));
          return inputs.map(
            (n): Outcome<string> => (n === 4 ? { ok: false, error: new Error('four') } : { ok: true, value: `v${n}` }),
          );
        },
      });
      const first = group.submit(0);
      await new Promise((r) => setImmediate(r));
      expect(groups).toEqual([[0]]); // no waiting: written at the end of the turn it arrived in
      const rest = [1, 2, 3, 4, 5].map((n) =>
        group.submit(n).then(
          (v) => v,
          (e: Error) => `error:${e.message}`,
        ),
      );
      expect(group.pending).toBe(5);
      gate.open!();
      expect(await first).toBe('v0');
      expect(await Promise.all(rest)).toEqual(['v1', 'v2', 'v3', 'error:four', 'v5']);
      expect(groups).toEqual([[0], [1, 2, 3], [4, 5]]); // at most maxSize per group
      expect(group.stats).toEqual({ groups: 3, members: 6, largest: 3 });
    },
  );

  it('groups the calls of one event-loop turn', async () => {
    const groups: number[][] = [];
    const group = new GroupCommit<number, number>({
      maxSize: 100,
      write: async (inputs) => (groups.push(inputs), inputs.map((n) => ({ ok: true, value: -n }))),
    });
    expect(await Promise.all([1, 2, 3].map((n) => group.submit(n)))).toEqual([-1, -2, -3]);
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it(
    'under load waits up to lingerMs after the last group for more calls; after a quiet spell writes at ' + 'once',
    async () => {
      const groups: number[][] = [];
      const group = new GroupCommit<number, number>({
        maxSize: 100,
        lingerMs: 200,
        write: async (inputs) => (groups.push(inputs), inputs.map((n) => ({ ok: true, value: n }))),
      });
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      // The first call comes after a quiet spell: written alone, at once.
      await group.submit(1);
      // Right after a group: the next one waits for the calls of the next 200 ms.
      const second = [group.submit(2), pause(50).then(() => group.submit(3))];
      await Promise.all(second);
      // After a quiet spell longer than the linger: written at once, so a call 50 ms later makes its own group.
      await pause(300);
      const third = [group.submit(4), pause(50).then(() => group.submit(5))];
      await Promise.all(third);
      expect(groups).toEqual([[1], [2, 3], [4], [5]]);
    },
  );

  it('rejects only the group whose write threw, and goes on with the next', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>({
      maxSize: 10,
      write: async (inputs) => {
        calls++;
        await new Promise((r) => setImmediate(r));
        if (calls === 1) throw new Error('down');
        return inputs.map((n) => ({ ok: true, value: n * 2 }));
      },
    });
    const a = group.submit(1).catch((e: Error) => e.message);
    await new Promise((r) => setImmediate(r));
    const b = group.submit(2);
    expect(await a).toBe('down');
    expect(await b).toBe(4);
  });

  it('splits runs and pads lists to power-of-two lengths', () => {
    const list = Array.from({ length: 50 }, (_, i) => i);
    const chunks = powerOfTwoChunks(list);
    expect(chunks.map((c) => c.length)).toEqual([32, 16, 2]);
    expect(chunks.flat()).toEqual(list);
    expect(powerOfTwoChunks([])).toEqual([]);
    expect(padToPowerOfTwo(['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'a']);
    expect(padToPowerOfTwo(['a'])).toEqual(['a']);
    expect(padToPowerOfTwo([1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
  });

  it('refuses a group size below 1', () => {
    expect(() => new GroupCommit({ maxSize: 0, write: async () => [] })).toThrow(RangeError);
  });
});

describe.each(backends())('ticket group commit on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    ws = await newWorkspace(t);
    for (const [id, tier] of [
      ['ent', 'enterprise'],
      ['pro', 'pro'],
    ] as const) {
      expect((await ws.call('PUT', `/api/v1/accounts/by-external-id/${id}`, { name: id, tier })).status).toBeLessThan(
        300,
      );
    }
  });
  afterAll(async () => t?.close());

  const sql = async (text: string, values: unknown[] = []) => (await t.desk.database.executeSql(text, values)).rows;
  const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
  const ACCOUNTS = ['ent', 'pro', undefined] as const;

  /** Calls `desk.createTicket` for each input in the same tick: they are written as one group. */
  const createAll = (
    inputs: unknown[],
    idempotency: (i: number) => { workspaceId: string; key: string } | null = () => null,
  ) =>
    Promise.all(
      inputs.map((input, i) =>
        t.desk
          .createTicket(
            ws.workspaceId,
            { type: 'integration', id: null },
            TicketCreateSchema.parse(input) as TicketCreate,
            { idempotency: idempotency(i) },
          )
          .then(
            (value) => ({ ok: true as const, value }),
            (error: { code?: string }) => ({ ok: false as const, code: error.code }),
          ),
      ),
    );

  it(
    'stores 50 concurrent tickets exactly once, each with its own message, events, SLA targets and pipeline ' + 'job',
    async () => {
      const before = t.desk.ingestStats();
      const bodies = Array.from({ length: 50 }, (_, i) => {
        const c = i % 20;
        const account = ACCOUNTS[c % 3];
        return {
          subject: `Concurrent ${kind} ${i}`,
          priority: PRIORITIES[i % 4]!,
          tags: [`n${i}`],
          message: { text: `Message number ${i}: the export of report ${i} fails.` },
          customer: {
            email: `group-${c}@${kind}.example`,
            name: `Customer ${c}`,
            ...(account ? { accountExternalId: account } : {}),
          },
        };
      });
      const results = await Promise.all(bodies.map((b) => ws.call('POST', '/api/v1/tickets', b)));
      const after = t.desk.ingestStats();
      expect(after.largest, 'requests were written in groups').toBeGreaterThan(1);
      expect(after.groups - before.groups, 'fewer transactions than tickets').toBeLessThan(50);
      expect(after.fallbacks).toBe(before.fallbacks);

      // Each caller got its own ticket and message.
      for (const [i, res] of results.entries()) {
        expect(res.status).toBe(201);
        expect(res.body.ticket).toMatchObject({
          subject: bodies[i]!.subject,
          priority: bodies[i]!.priority,
          tags: [`n${i}`],
          status: 'new',
        });
        expect(res.body.message).toMatchObject({
          ticketId: res.body.ticket.id,
          text: bodies[i]!.message.text,
          authorType: 'customer',
          authorId: res.body.ticket.customerId,
        });
      }
      const ids = results.map((r) => r.body.ticket.id as string);
      expect(new Set(ids).size).toBe(50);

      // Stored once, with the right customer, message and events.
      const rows = await sql(
        `select t.id, t.subject, t.priority, t.created_at, t.sla_policy, t.first_response_due_at, ` +
          `t.resolution_due_at, c.email, a.tier,
              (select count(*) from messages m where m.ticket_id = t.id)::int as messages,
              (select m.body_text from messages m where m.ticket_id = t.id limit 1) as text,
              (select m.id from messages m where m.ticket_id = t.id limit 1) as message_id,
              (select array_agg(e.type order by e.id) from events e where e.ticket_id = t.id) as events,
              (select e.data->>'customerId' from events e where e.ticket_id = t.id ` +
          `and e.type = 'ticket.created') as created_customer,
              (select e.data->>'messageId' from events e where e.ticket_id = t.id ` +
          `and e.type = 'message.created') as event_message
         from tickets t join customers c on c.id = t.customer_id left join accounts a on a.id = c.account_id
        where t.workspace_id = $1 and t.subject like $2`,
        [ws.workspaceId, `Concurrent ${kind} %`],
      );
      expect(rows).toHaveLength(50);
      const bySubject = new Map(rows.map((r) => [String(r.subject), r]));
      const ctx = t.desk.ctx(ws.workspaceId, { type: 'system', id: null });
      for (const [i, b] of bodies.entries()) {
        const row = bySubject.get(b.subject)!;
        expect(row.id).toBe(ids[i]);
        expect(row.email).toBe(b.customer.email);
        expect(row.messages).toBe(1);
        expect(row.text).toBe(b.message.text);
        expect(row.events).toEqual(['ticket.created', 'message.created']);
        expect(row.created_customer).toBe(results[i]!.body.ticket.customerId);
        expect(row.event_message).toBe(row.message_id);
        expect(row.tier ?? null).toBe(
          b.customer.accountExternalId === 'ent' ? 'enterprise' : b.customer.accountExternalId === 'pro' ? 'pro' : null,
        );
        // The SLA targets of its own tier and priority.
        const expected = await slaTargets(
          ctx,
          (row.tier as string | null) ?? null,
          b.priority,
          new Date(row.created_at as string),
        );
        expect(row.sla_policy).toBe(expected.slaPolicy);
        expect(expected.slaPolicy).not.toBeNull();
        expect(new Date(row.first_response_due_at as string).getTime()).toBe(expected.firstResponseDueAt!.getTime());
        expect(new Date(row.resolution_due_at as string).getTime()).toBe(expected.resolutionDueAt!.getTime());
      }
      expect(
        new Set(rows.map((r) => r.sla_policy)).size,
        'tiers and priorities differ across the group',
      ).toBeGreaterThan(2);
      // One customer per distinct email, created once.
      const customers = await sql(
        `select count(*)::int as n from customers where workspace_id = $1 and email like $2`,
        [ws.workspaceId, `group-%@${kind}.example`],
      );
      expect(customers[0]!.n).toBe(20);
      // Exactly one queued pipeline job per ticket, for its workspace.
      const jobs = await sql(
        `select data->>'ticketId' as ticket, data->>'workspaceId' as ws, data->>'trigger' as trigger, ` +
          `data->>'runId' as run from pgboss.job where name = 'ticket-pipeline' and data->>'ticketId' = any($1)`,
        [ids],
      );
      expect(jobs).toHaveLength(50);
      expect(new Set(jobs.map((j) => j.ticket)).size).toBe(50);
      expect(new Set(jobs.map((j) => j.run)).size).toBe(50);
      for (const j of jobs) expect(j).toMatchObject({ ws: ws.workspaceId, trigger: 'created' });
      // The job runs the pipeline of its ticket.
      const one = jobs.find((j) => j.ticket === ids[7])!;
      await t.desk.runPipeline(ws.workspaceId, String(one.ticket), 'created', String(one.run));
      expect((await ws.call('GET', `/api/v1/tickets/${ids[7]}`)).body.decisions.length).toBeGreaterThan(0);
    },
  );

  it('gives a failing member its own error (duplicate externalId, bad body) and the others their tickets', async () => {
    expect(
      (
        await createAll([
          {
            subject: 'First',
            externalId: `dup-${kind}`,
            message: { text: 'one' },
            customer: { email: `dup@${kind}.example` },
          },
        ])
      )[0]!.ok,
    ).toBe(true);
    const before = t.desk.ingestStats();
    const inputs = Array.from({ length: 8 }, (_, i) => ({
      subject: `Mixed ${kind} ${i}`,
      message: i === 5 ? { html: '<p>hi</p><script>alert(1)</script>' } : { text: `mixed ${i}` },
      customer: { email: `mixed-${i}@${kind}.example` },
      // 2: already stored; 3 and 6: the same new externalId within the group.
      ...(i === 2 ? { externalId: `dup-${kind}` } : i === 3 || i === 6 ? { externalId: `twin-${kind}` } : {}),
    }));
    const out = await createAll(inputs);
    const after = t.desk.ingestStats();
    expect(after.members - before.members).toBe(8);
    expect(after.groups - before.groups).toBe(1);
    expect(after.fallbacks - before.fallbacks, 'the group failed and was written one at a time').toBe(1);
    expect(out.map((o) => (o.ok ? 201 : o.code))).toEqual([
      201,
      201,
      'conflict',
      201,
      201,
      'unsafe_html',
      'conflict',
      201,
    ]);
    for (const [i, o] of out.entries()) if (o.ok) expect(o.value.ticket.subject).toBe(`Mixed ${kind} ${i}`);
    const stored = await sql(
      `select subject from tickets where workspace_id = $1 and subject like $2 order by subject`,
      [ws.workspaceId, `Mixed ${kind} %`],
    );
    expect(stored.map((r) => r.subject)).toEqual([0, 1, 3, 4, 7].map((i) => `Mixed ${kind} ${i}`));
    // A bad body alone does not fail its group.
    const before2 = t.desk.ingestStats();
    const out2 = await createAll(
      [0, 1, 2].map((i) => ({
        subject: `Body ${kind} ${i}`,
        message: i === 1 ? { html: '<img src=x onerror=alert(1)>' } : { text: 'fine' },
        customer: { email: `body@${kind}.example` },
      })),
    );
    expect(out2.map((o) => (o.ok ? 201 : o.code))).toEqual([201, 'unsafe_html', 201]);
    expect(t.desk.ingestStats().fallbacks).toBe(before2.fallbacks);
  });

  it('answers 409 for a duplicate externalId over HTTP while the others of the burst get 201', async () => {
    const burst = Array.from({ length: 12 }, (_, i) => ({
      subject: `Burst ${kind} ${i}`,
      message: { text: `burst ${i}` },
      customer: { email: `burst-${i}@${kind}.example` },
      ...(i % 4 === 1 ? { externalId: `burst-dup-${kind}` } : {}),
    }));
    const res = await Promise.all(burst.map((b) => ws.call('POST', '/api/v1/tickets', b)));
    const statuses = res.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(2);
    for (const r of res.filter((x) => x.status === 409)) expect(r.body.code).toBe('conflict');
    for (const [i, r] of res.entries()) if (r.status === 201) expect(r.body.ticket.subject).toBe(`Burst ${kind} ${i}`);
  });

  it('creates the same new customer once when several tickets of a group name them', async () => {
    const email = `same-${kind}@example.com`;
    const out = await createAll([
      { subject: 'Warm up', message: { text: 'x' }, customer: { email: `warm-${kind}@example.com` } },
      { subject: 'Same 1', message: { text: 'a' }, customer: { email } },
      { subject: 'Same 2', message: { text: 'b' }, customer: { email, name: 'Sam', externalId: `sam-${kind}` } },
      { subject: 'Same 3', message: { text: 'c' }, customer: { externalId: `sam-${kind}`, locale: 'fr' } },
      { subject: 'Same 4', message: { text: 'd' }, customer: { email, accountExternalId: 'pro' } },
    ]);
    expect(out.every((o) => o.ok)).toBe(true);
    const rows = await sql(
      `select c.id, c.name, c.external_id, c.locale, a.external_id as account from customers c left join accounts ` +
        `a on a.id = c.account_id where c.workspace_id = $1 and (c.email = $2 or c.external_id = $3)`,
      [ws.workspaceId, email, `sam-${kind}`],
    );
    expect(rows).toHaveLength(1);
    // Known fields filled in from each ticket, as one after another.
    expect(rows[0]).toMatchObject({ name: 'Sam', external_id: `sam-${kind}`, locale: 'fr', account: 'pro' });
    for (const o of out.slice(1)) expect(o.ok && o.value.ticket.customerId).toBe(rows[0]!.id);
    // A stored customer named again in a group: filled in, not duplicated.
    const again = await createAll([
      { subject: 'Warm up 2', message: { text: 'x' }, customer: { email: `warm-${kind}@example.com` } },
      { subject: 'Same 5', message: { text: 'e' }, customer: { email, name: 'Other name' } },
      { subject: 'Same 6', message: { text: 'f' }, customer: { email: `warm-${kind}@example.com`, name: 'Warm' } },
    ]);
    expect(again.every((o) => o.ok)).toBe(true);
    expect(again[1]!.ok && again[1]!.value.ticket.customerId).toBe(rows[0]!.id);
    const warm = await sql(`select name from customers where workspace_id = $1 and email = $2`, [
      ws.workspaceId,
      `warm-${kind}@example.com`,
    ]);
    expect(warm).toEqual([{ name: 'Warm' }]);
  });

  it(
    'makes one ticket of concurrent requests with the same Idempotency-Key, and stores each key its own ' + 'response',
    async () => {
      const body = {
        subject: `Idem ${kind}`,
        message: { text: 'please help' },
        customer: { email: `idem@${kind}.example` },
      };
      const same = await Promise.all(
        Array.from({ length: 4 }, () =>
          ws.call('POST', '/api/v1/tickets', body, { 'idempotency-key': `same-${kind}` }),
        ),
      );
      for (const r of same) expect([201, 409]).toContain(r.status);
      const created = same.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((r) => r.body.ticket.id)).size).toBe(1);
      expect(
        (
          await sql(`select count(*)::int as n from tickets where workspace_id = $1 and subject = $2`, [
            ws.workspaceId,
            `Idem ${kind}`,
          ])
        )[0]!.n,
      ).toBe(1);
      const replay = await ws.call('POST', '/api/v1/tickets', body, { 'idempotency-key': `same-${kind}` });
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.ticket.id).toBe(created[0]!.body.ticket.id);

      // Different keys in one burst: each key's retry gets its own ticket back.
      const before = t.desk.ingestStats();
      const keyed = Array.from({ length: 10 }, (_, i) => ({
        subject: `Keyed ${kind} ${i}`,
        message: { text: `keyed ${i}` },
        customer: { email: `keyed-${i}@${kind}.example` },
      }));
      const first = await Promise.all(
        keyed.map((b, i) => ws.call('POST', '/api/v1/tickets', b, { 'idempotency-key': `k-${kind}-${i}` })),
      );
      expect(t.desk.ingestStats().largest).toBeGreaterThan(1);
      expect(t.desk.ingestStats().groups - before.groups).toBeLessThan(10);
      for (const [i, b] of keyed.entries()) {
        expect(first[i]!.status).toBe(201);
        const retry = await ws.call('POST', '/api/v1/tickets', b, { 'idempotency-key': `k-${kind}-${i}` });
        expect(retry.status).toBe(201);
        expect(retry.headers['idempotent-replayed']).toBe('true');
        expect(retry.body).toEqual(first[i]!.body);
        expect(retry.body.ticket.subject).toBe(b.subject);
      }
    },
  );

  it('keeps the tickets of different workspaces in a group apart', async () => {
    const other = await newWorkspace(t, 'Other');
    const callers = [ws, other, ws, other, ws, other];
    const res = await Promise.all(
      callers.map((c, i) =>
        c.call('POST', '/api/v1/tickets', {
          subject: `Split ${kind} ${i}`,
          message: { text: `split ${i}` },
          customer: { email: `split@${kind}.example` },
        }),
      ),
    );
    for (const [i, r] of res.entries()) {
      expect(r.status).toBe(201);
      const rows = await sql(
        `select t.workspace_id, c.workspace_id as customer_ws, (select array_agg(distinct e.workspace_id) from ` +
          `events e where e.ticket_id = t.id) as event_ws from tickets t join customers c on c.id = t.customer_id ` +
          `where t.id = $1`,
        [r.body.ticket.id],
      );
      const expected = callers[i]!.workspaceId;
      expect(rows[0]).toMatchObject({ workspace_id: expected, customer_ws: expected, event_ws: [expected] });
      expect((await callers[i]!.call('GET', `/api/v1/tickets/${r.body.ticket.id}`)).status).toBe(200);
      expect((await callers[(i + 1) % 2]!.call('GET', `/api/v1/tickets/${r.body.ticket.id}`)).status).toBe(404);
    }
  });
});

describe('ticket group commit turned off', () => {
  it('writes each ticket alone with DESKMIND_INGEST_GROUP_SIZE=1', async () => {
    const t = await openTestDesk('pglite', { config: { ingestGroupSize: 1 } });
    try {
      const ws = await newWorkspace(t);
      const res = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          ws.call('POST', '/api/v1/tickets', {
            subject: `Alone ${i}`,
            message: { text: 'x' },
            customer: { email: 'alone@example.com' },
          }),
        ),
      );
      expect(res.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(t.desk.ingestStats().groups).toBe(0);
    } finally {
      await t.close();
    }
  });
});
