import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { JobQueue, pipelineJob } from '../src/jobs/queue.js';
import type { Stage } from '../src/pipeline/types.js';
import { runPipeline } from '../src/pipeline/run-batch.js';
import { DEFAULT_STAGES } from '../src/pipeline/runner.js';
import { createTicket } from '../src/tickets/create-ticket.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

const ticketBody = {
  subject: 'Invoice',
  message: { text: 'Please send me the invoice for October.' },
  customer: { email: 'c@example.com' },
};

async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(backends())('ticket pipeline as jobs on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  const clock = testClock(new Date());
  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now, config: { closeAfterHours: 24 } });
    ws = await newWorkspace(t);
  });
  afterAll(async () => t?.close());

  const decisionsOf = async (id: string) =>
    (await ws.call('GET', `/api/v1/tickets/${id}`)).body.decisions as {
      stage: string;
      ok: boolean;
      result: any;
      runId: string;
    }[];

  it('runs the pipeline through the job queue after a ticket is created', async () => {
    await t.desk.startWorker();
    const { body } = await ws.call('POST', '/api/v1/tickets', ticketBody);
    const decisions = await waitFor(async () => {
      const d = await decisionsOf(body.ticket.id);
      return d.length >= 6 && d;
    });
    expect(decisions.map((d) => d.stage)).toEqual(['enrich', 'understand', 'retrieve', 'decide', 'resolve', 'route']);
    expect(decisions.every((d) => d.ok)).toBe(true);
  });

  it('retries a job that crashed and never loses the ticket', async () => {
    const { body } = await ws.call('POST', '/api/v1/tickets', { ...ticketBody, subject: 'Crash test' });
    // A second queue consumer that crashes on its first attempt, as a process dying mid-pipeline would.
    let attempts = 0;
    const queue = 'ticket-pipeline-crashy';
    await t.desk.jobs.boss.createQueue(queue, { name: queue, retryLimit: 3, retryDelay: 1, retryBackoff: false });
    await t.desk.jobs.boss.work(queue, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      attempts++;
      if (attempts === 1) throw new Error('worker crashed');
      const data = pipelineJob.payload.parse(job!.data);
      await t.desk.runPipeline(data.workspaceId, data.ticketId, data.trigger, data.runId);
    });
    await t.desk.jobs.boss.send(queue, {
      workspaceId: ws.workspaceId,
      ticketId: body.ticket.id,
      trigger: 'created',
      runId: 'crash-run',
    });
    await waitFor(async () => (await decisionsOf(body.ticket.id)).some((d) => d.runId === 'crash-run'));
    expect(attempts).toBeGreaterThanOrEqual(2);
    // Running the same run again (a duplicate delivery) records nothing twice.
    await t.desk.runPipeline(ws.workspaceId, body.ticket.id, 'created', 'crash-run');
    expect((await decisionsOf(body.ticket.id)).filter((d) => d.runId === 'crash-run')).toHaveLength(6);
  });

  it('hands the ticket to a human with context when a stage fails', async () => {
    const { body } = await ws.call('POST', '/api/v1/tickets', { ...ticketBody, subject: 'Model broken' });
    const broken: Stage = {
      name: 'decide',
      run: async () => {
        throw new Error('model exploded');
      },
    };
    const stages = [...DEFAULT_STAGES.filter((s) => s.name !== 'decide'), broken];
    const run = await runPipeline(
      { database: t.desk.database, ports: t.desk.ports, stages, now: clock.now },
      ws.workspaceId,
      body.ticket.id,
      'created',
      'broken-run',
    );
    expect(run.failedStage).toBe('decide');
    const detail = (await ws.call('GET', `/api/v1/tickets/${body.ticket.id}`)).body;
    const failed = detail.decisions.find(
      (d: { runId: string; stage: string }) => d.runId === 'broken-run' && d.stage === 'decide',
    );
    expect(failed).toMatchObject({ ok: false, result: { error: 'model exploded' } });
    const handoff = detail.timeline.find(
      (e: { type: string; data: { reason?: string } }) =>
        e.type === 'ticket.handed_off' && e.data.reason === 'ai_error',
    );
    expect(handoff).toMatchObject({ actorType: 'assistant' });
    expect(detail.status).toBe('open');
  });

  it('closes quiet resolved tickets and wakes snoozed ones on the sweep', async () => {
    const r = (await ws.call('POST', '/api/v1/tickets', ticketBody)).body.ticket.id;
    const s = (await ws.call('POST', '/api/v1/tickets', ticketBody)).body.ticket.id;
    await ws.call('PATCH', `/api/v1/tickets/${r}`, { status: 'resolved' });
    const until = new Date(clock.now().getTime() + 3_600_000).toISOString();
    expect(
      (await ws.call('PATCH', `/api/v1/tickets/${s}`, { status: 'snoozed', snoozedUntil: until })).body.status,
    ).toBe('snoozed');
    await t.desk.sweep();
    expect((await ws.call('GET', `/api/v1/tickets/${r}`)).body.status).toBe('resolved');
    clock.advance(2 * 3_600_000);
    await t.desk.sweep();
    expect((await ws.call('GET', `/api/v1/tickets/${s}`)).body.status).toBe('open');
    expect((await ws.call('GET', `/api/v1/tickets/${r}`)).body.status).toBe('resolved');
    clock.advance(23 * 3_600_000);
    const swept = await t.desk.sweep();
    expect(swept.closed).toBeGreaterThanOrEqual(1);
    const closed = (await ws.call('GET', `/api/v1/tickets/${r}`)).body;
    expect(closed.status).toBe('closed');
    expect(closed.timeline.find((e: { type: string }) => e.type === 'ticket.closed')).toMatchObject({
      actorType: 'system',
    });
    const refused = await ws.call('POST', `/api/v1/tickets/${r}/messages`, { text: 'hello again' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ticket_closed');
  });

  it('re-queues a new ticket whose pipeline never ran', async () => {
    // Insert a ticket the way a crash between commit and queueing would leave it: no job, no decisions.
    const { ticket } = await t.desk.tx(ws.workspaceId, { type: 'integration', id: null }, (ctx) =>
      createTicket(ctx, {
        ...ticketBody,
        channel: 'api',
        tags: [],
        message: { text: 'lost?', visibility: 'public', attachments: [] },
      }),
    );
    clock.advance(10 * 60_000);
    const swept = await t.desk.sweep();
    expect(swept.requeued).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await decisionsOf(ticket.id)).length >= 6);
  });
});

describe.each(backends())('waking the workers on %s', (kind) => {
  it('a worker fetches the jobs this process queued at once, not at its next poll', async () => {
    const t = await openTestDesk(kind);
    try {
      const seen: string[] = [];
      await t.desk.jobs.workBatch(
        pipelineJob,
        { concurrency: 1, batchSize: 1, pollingIntervalSeconds: 60 },
        async (jobs) => {
          seen.push(...jobs.map((j) => j.data.ticketId));
          return jobs.map(() => null);
        },
      );
      // The worker's first fetch found nothing: it now waits out its 60-second polling interval.
      await sleep(500);
      const job = () => ({ workspaceId: randomUUID(), ticketId: randomUUID(), trigger: 'created' as const });
      // Queued inside a transaction: nobody is told until the caller wakes the workers after the commit.
      const inTx = job();
      await t.desk.database.db.transaction((tx) => t.desk.jobs.enqueuePipeline(inTx, tx));
      await sleep(1_000);
      expect(seen).toEqual([]);
      t.desk.jobs.wake(pipelineJob.name);
      await waitFor(async () => seen.includes(inTx.ticketId), 5_000);
      // Queued outside a transaction: the queue wakes its workers itself.
      const direct = job();
      await t.desk.jobs.enqueuePipeline(direct);
      await waitFor(async () => seen.includes(direct.ticketId), 5_000);
      // A worker that found jobs fetches again at once: three jobs, one per fetch, after a single wake-up.
      const three = [job(), job(), job()];
      await t.desk.database.db.transaction(async (tx) => {
        for (const j of three) await t.desk.jobs.enqueuePipeline(j, tx);
      });
      t.desk.jobs.wake(pipelineJob.name);
      await waitFor(async () => three.every((j) => seen.includes(j.ticketId)), 5_000);
    } finally {
      await t.close();
    }
  });
});

describe.each(backends())('announcing queued jobs to other processes on %s', (kind) => {
  it(
    'a process without workers announces its jobs when they commit, and the workers elsewhere fetch at ' + 'once',
    async () => {
      const t = await openTestDesk(kind);
      // The desk's queue runs no worker (an API process); `other` stands for a worker process on the same database.
      const other = new JobQueue(t.desk.database, pino({ level: 'silent' }));
      try {
        await other.start();
        const seen: string[] = [];
        await other.workBatch(
          pipelineJob,
          { concurrency: 1, batchSize: 8, pollingIntervalSeconds: 60 },
          async (jobs) => {
            seen.push(...jobs.map((j) => j.data.ticketId));
            return jobs.map(() => null);
          },
        );
        await sleep(500);
        const job = { workspaceId: randomUUID(), ticketId: randomUUID(), trigger: 'created' as const };
        await t.desk.database.db.transaction(async (tx) => {
          await t.desk.jobs.enqueuePipeline(job, tx);
          // Not before the commit.
          await sleep(500);
          expect(seen).toEqual([]);
        });
        await waitFor(async () => seen.includes(job.ticketId), 5_000);
        // Queued outside a transaction (a customer's reply): announced at once.
        const reply = { workspaceId: randomUUID(), ticketId: randomUUID(), trigger: 'customer_message' as const };
        await t.desk.jobs.enqueuePipeline(reply);
        await waitFor(async () => seen.includes(reply.ticketId), 5_000);
      } finally {
        await other.stop();
        await t.close();
      }
    },
  );
});
