import { randomUUID } from 'node:crypto';
import { sql, TransactionRollbackError, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageInputSchema } from '../src/domain/schemas.js';
import { pipelineJob } from '../src/jobs/queue.js';
import { pgCode } from '../src/store/pg-errors.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

/**
 * A way in whose transaction PostgreSQL rolls back to break a deadlock writes it again: the request succeeds
 * (before, it got a 500 and the ticket was lost). On a server, an API process's ticket insert deadlocks with
 * another process's transaction adding to the same insight rollup rows in another order (a worker's decision
 * insert, another API's ticket insert; the server log: "deadlock detected … while inserting index tuple … in
 * relation insight_rollups"). Here the other transaction is the test's own, deadlocked with the request on
 * purpose: it holds the pipeline queue's row, which the request's commit needs (its job's foreign key is
 * checked at commit), and once the request waits for that, it waits for a row the request wrote. PostgreSQL
 * then rolls back the request's transaction (the test's never looks for deadlocks: `deadlock_timeout` 1 min).
 * A server only: the embedded database has one connection, so its transactions never wait for each other.
 */
describe.skipIf(!backends().includes('postgres'))('a way in deadlocked with another transaction', () => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  beforeAll(async () => {
    t = await openTestDesk('postgres', { now: testClock().now }); // one hour: every ticket adds to the same rollups
    ws = await newWorkspace(t);
  });
  afterAll(async () => t?.close());

  const rowsOf = <R>(result: unknown) => (result as { rows: R[] }).rows;
  const rows = async <R>(query: SQL) => rowsOf<R>(await t.desk.database.db.execute(query));

  /**
   * Runs `request` while another transaction holds the pipeline queue's row; once the request waits for it,
   * that transaction runs `waitForRequest` (which waits for a row the request wrote). Returns the request's
   * outcome, and whether the deadlock happened: the other transaction's statement got through while the
   * request's transaction was open, so PostgreSQL had rolled the request's attempt back. Without a deadlock
   * (the request looked for one before the other transaction waited), the other transaction gives up after
   * `lock_timeout` and the request commits as it is.
   */
  async function deadlocked<T>(request: () => Promise<T>, waitForRequest: SQL) {
    let outcome: Promise<{ ok: true; value: T } | { ok: false; error: unknown }> | undefined;
    let happened = false;
    await t.desk.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`set local deadlock_timeout = '1min'`);
        await tx.execute(sql`set local lock_timeout = '20s'`);
        const [{ pid }] = rowsOf<{ pid: number }>(await tx.execute(sql`select pg_backend_pid() as pid`)) as [
          { pid: number },
        ];
        await tx.execute(sql`select 1 from pgboss.queue where name = ${pipelineJob.name} for update`);
        outcome = request().then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        await blockedBy(pid);
        try {
          await tx.execute(waitForRequest);
          happened = true;
        } catch (err) {
          if (pgCode(err) !== '55P03') throw err; // lock_timeout: no deadlock this time
        }
        tx.rollback(); // this transaction leaves nothing behind
      })
      .catch((err: unknown) => {
        if (!(err instanceof TransactionRollbackError)) throw err;
      });
    return { happened, outcome: await outcome! };
  }

  /** Resolves once a transaction waits for the one of backend `pid` (an event in the database, polled). */
  async function blockedBy(pid: number): Promise<void> {
    for (;;) {
      const [w] = await rows<{ n: number }>(
        sql`select count(*)::int as n from pg_stat_activity where ${pid}::int = any(pg_blocking_pids(pid))`,
      );
      if (w!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Repeats `attempt` until the deadlock happened, and returns that outcome. A loaded machine can make the other
   * transaction wait too late (after the request looked for a deadlock) more often, so there is no count of
   * attempts: the test's timeout ends a deadlock that never happens.
   */
  async function untilDeadlocked<T>(attempt: () => Promise<{ happened: boolean; outcome: T }>): Promise<T> {
    for (;;) {
      const { happened, outcome } = await attempt();
      if (happened) return outcome;
    }
  }

  it('a new ticket is written again and the request gets 201, its ticket once, with its job', async () => {
    let email = '';
    const outcome = await untilDeadlocked(() => {
      email = `${randomUUID()}@deadlock.example`;
      // The request inserts this new customer; the other transaction inserts the same one, waiting for it.
      return deadlocked(
        () =>
          ws.call('POST', '/api/v1/tickets', {
            subject: 'Refund',
            message: { text: 'I was charged twice, please refund the duplicate payment.' },
            customer: { email },
          }),
        sql`insert into customers (workspace_id, email) values (${ws.workspaceId}, ${email})`,
      );
    });
    expect(outcome.ok ? outcome.value.status : outcome.error).toBe(201);
    const [stored] = await rows<{ tickets: number; customers: number; jobs: number }>(sql`
      select (select count(*)::int from tickets t join customers c on c.id = t.customer_id where c.email = ${email})
               as tickets,
             (select count(*)::int from customers where email = ${email}) as customers,
             (select count(*)::int from pgboss.job where name = ${pipelineJob.name}
               and data->>'ticketId' = ${outcome.ok ? outcome.value.body.ticket.id : ''}) as jobs`);
    expect(stored).toEqual({ tickets: 1, customers: 1, jobs: 1 });
  });

  it("a customer's message is written again and the request gets 201, the message once, with its job", async () => {
    const created = await ws.call('POST', '/api/v1/tickets', {
      subject: 'Export',
      message: { text: 'The export fails.' },
      customer: { email: 'kim@deadlock.example' },
    });
    const ticketId: string = created.body.ticket.id;
    const customerId: string = created.body.ticket.customerId;
    let text = '';
    const outcome = await untilDeadlocked(() => {
      text = `Still failing (${randomUUID()}).`;
      // The request locks the ticket to add its message; the other transaction then locks it too.
      const author = { type: 'customer' as const, id: customerId };
      return deadlocked(
        () => t.desk.addMessage(ws.workspaceId, author, ticketId, MessageInputSchema.parse({ text }), author),
        sql`select 1 from tickets where id = ${ticketId} for update`,
      );
    });
    expect(outcome.ok ? 'written' : outcome.error).toBe('written');
    const [stored] = await rows<{ messages: number; jobs: number }>(sql`
      select (select count(*)::int from messages where ticket_id = ${ticketId} and body_text = ${text}) as messages,
             (select count(*)::int from pgboss.job where name = ${pipelineJob.name} and data->>'ticketId' = ${ticketId}
               and data->>'trigger' = 'customer_message') as jobs`);
    expect(stored).toEqual({ messages: 1, jobs: 1 });
  });

  it('a ticket insert takes its insight rollup rows in one order, whatever the plan (migration 0026)', async () => {
    const open = (email: string) =>
      ws.call('POST', '/api/v1/tickets', {
        subject: 'Invoice',
        message: { text: 'Where is my invoice?' },
        customer: { email },
      });
    expect((await open('first@order.example')).status).toBe(201); // the rollup rows the next ticket adds to
    const [{ total }] = (await rows<{ total: number }>(
      sql`select count(*)::int as total from insight_rollups where workspace_id = ${ws.workspaceId}`,
    )) as [{ total: number }];
    let second: ReturnType<typeof open> | undefined;
    await t.desk.database.db
      .transaction(async (tx) => {
        const [{ pid }] = rowsOf<{ pid: number }>(await tx.execute(sql`select pg_backend_pid() as pid`)) as [
          { pid: number },
        ];
        // The first row in that order: the insert waits for it before it takes any other.
        await tx.execute(sql`select 1 from insight_rollups where workspace_id = ${ws.workspaceId}
          order by dimension, grain, hour, key limit 1 for update`);
        second = open('second@order.example');
        await blockedBy(pid);
        const [free] = await rows<{ n: number }>(sql`select count(*)::int as n from (select 1 from insight_rollups
          where workspace_id = ${ws.workspaceId} for update skip locked) x`);
        expect(free!.n).toBe(total - 1);
        tx.rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof TransactionRollbackError)) throw err;
      });
    expect((await second!).status).toBe(201);
  });
});
