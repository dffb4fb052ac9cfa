import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

/**
 * Every way a ticket or a customer message comes in queues the pipeline in the same transaction as the row it
 * writes: PostgreSQL's `xmin` (the id of the transaction that inserted a row) of the row and of its pipeline
 * job are the same. Without the worker running, the jobs stay in the queue to be read.
 */
describe.each(backends())('ways in queue the pipeline in their own transaction on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk(kind);
    ws = await newWorkspace(t);
    await ws.call('PATCH', '/api/v1/settings/email', { inboundAddress: 'support@acme.test' });
  });
  afterAll(async () => t?.close());

  /** The transaction ids of the row `id` of `table` and of the pipeline jobs of `ticketId` with `trigger`. */
  async function writers(table: 'tickets' | 'messages', id: string, ticketId: string, trigger: string) {
    const jobsOf = sql`name = 'ticket-pipeline' and data->>'ticketId' = ${ticketId} and data->>'trigger' = ${trigger}`;
    const res = (await t.desk.database.db.execute(sql`
      select (select xmin::text from ${sql.identifier(table)} where id = ${id}) as row,
             (select array_agg(xmin::text) from pgboss.job
               where ${jobsOf}) as jobs`)) as unknown as {
      rows: { row: string; jobs: string[] | string | null }[];
    };
    const { row, jobs } = res.rows[0]!;
    return { row, jobs: typeof jobs === 'string' ? jobs.replace(/[{}]/g, '').split(',') : (jobs ?? []) };
  }
  const mail = (headers: string, text: string) => Buffer.from(`${headers}\r\nTo: support@acme.test\r\n\r\n${text}\r\n`);

  it('API: a new ticket and a customer message', async () => {
    const created = await ws.call('POST', '/api/v1/tickets', {
      subject: 'Invoice',
      message: { text: 'Where is my invoice?' },
      customer: { email: 'c@example.com' },
    });
    const ticketId: string = created.body.ticket.id;
    const opened = await writers('tickets', ticketId, ticketId, 'created');
    expect(opened.jobs).toEqual([opened.row]);

    const reply = await ws.call('POST', `/api/v1/tickets/${ticketId}/messages`, {
      text: 'Any news?',
      visibility: 'public',
    });
    expect(reply.status).toBe(201);
    const replied = await writers('messages', reply.body.message.id, ticketId, 'customer_message');
    expect(replied.jobs).toEqual([replied.row]);
  });

  it('email: a new ticket and a threaded reply', async () => {
    const [first] = await t.desk.receiveEmail(
      mail('From: Kim <kim@example.com>\r\nSubject: Export fails\r\nMessage-ID: <m1@example.com>', 'The export fails.'),
      ['support@acme.test'],
    );
    expect(first).toMatchObject({ status: 'created' });
    if (first?.status !== 'created') return;
    const opened = await writers('tickets', first.ticketId, first.ticketId, 'created');
    expect(opened.jobs).toEqual([opened.row]);

    const [second] = await t.desk.receiveEmail(
      mail(
        'From: kim@example.com\r\nSubject: Re: Export fails\r\nMessage-ID: <m2@example.com>\r\nIn-Reply-To: ' +
          '<m1@example.com>',
        'Still failing.',
      ),
      ['support@acme.test'],
    );
    expect(second).toMatchObject({ status: 'threaded', ticketId: first.ticketId });
    if (second?.status !== 'threaded') return;
    const replied = await writers('messages', second.messageId, first.ticketId, 'customer_message');
    expect(replied.jobs).toEqual([replied.row]);
  });
});
