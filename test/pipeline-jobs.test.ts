import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { JobQueue, pipelineJob } from '../src/jobs/queue.js';
import type { Stage } from '../src/pipeline/types.js';
import { runPipeline } from '../src/pipeline/run-batch.js';
import { DEFAULT_STAGES } from '../src/pipeline/runner.js';
import { createTicket } from '../src/tickets/create-ticket.js';
import type { Database } from '../src/store/db.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';
import { waitFor } from './helpers-wait.js';

const ticketBody = {
  subject: 'Invoice',
  message: { text: 'Please send me the invoice for October.' },
  customer: { email: 'c@example.com' },
};

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

  it('has a decided ticket join a topic in the background (the topics job after the commit)', async () => {
    await t.desk.startWorker();
    const { body } = await ws.call('POST', '/api/v1/tickets', { ...ticketBody, subject: 'Topic online' });
    const topic = await waitFor(async () => {
      const rows = await t.desk.database.executeSql('select topic_id from ticket_topics where ticket_id = $1', [
        body.ticket.id,
      ]);
      return rows.rows[0]?.topic_id as string | undefined;
    });
    expect(topic).toBeTruthy();
    const waiting = await t.desk.database.executeSql('select 1 from insight_topic_pending where ticket_id = $1', [
      body.ticket.id,
    ]);
    expect(waiting.rows).toEqual([]);
    const topics = (await ws.call('GET', '/api/v1/insights/topics?minSize=1')).body;
    expect(topics.data.map((x: { id: string }) => x.id)).toContain(topic);
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

/** Longer than the test's timeout: a worker polling this seldom fetches again only when it is woken. */
const NEVER_POLLS_SECONDS = 3_600;

/**
 * `database`, recording the pipeline-job fetches of the pg-boss workers on it (its `SKIP LOCKED` query on the
 * queue): how many started, and how many jobs each one that ended found. The events the wake-up tests wait on.
 */
function recordingFetches(database: Database) {
  const found: number[] = [];
  let started = 0;
  const recorded: Database = {
    ...database,
    executeSql: async (text, values) => {
      const fetch = text.includes('SKIP LOCKED') && values?.[0] === pipelineJob.name;
      if (fetch) started++;
      const res = await database.executeSql(text, values);
      if (fetch) found.push(res.rows.length);
      return res;
    },
  };
  return { database: recorded, found, started: () => started };
}

describe.each(backends())('waking the workers on %s', (kind) => {
  it('a worker fetches the jobs this process queued at once, not at its next poll', async () => {
    const t = await openTestDesk(kind);
    const fetches = recordingFetches(t.desk.database);
    const jobs = new JobQueue(fetches.database, pino({ level: 'silent' }));
    try {
      await jobs.start();
      const seen: string[] = [];
      await jobs.workBatch(
        pipelineJob,
        { concurrency: 1, batchSize: 1, pollingIntervalSeconds: NEVER_POLLS_SECONDS },
        async (batch) => {
          seen.push(...batch.map((j) => j.data.ticketId));
          return batch.map(() => null);
        },
      );
      // The worker's first fetch found nothing: it now waits out a polling interval longer than the test's
      // timeout, so each of its later fetches is a wake-up.
      await waitFor(() => fetches.found.length === 1, 20);
      expect(fetches.found).toEqual([0]);
      const job = () => ({ workspaceId: randomUUID(), ticketId: randomUUID(), trigger: 'created' as const });
      // Queued inside a transaction: nobody is told until the caller wakes the workers after the commit. (A gap,
      // not a wait: a wake-up would start a fetch within it; a slow machine can only hide one, never fail this.)
      const inTx = job();
      await t.desk.database.db.transaction((tx) => jobs.enqueuePipeline(inTx, tx));
      await sleep(300);
      expect(fetches.started()).toBe(1);
      jobs.wake(pipelineJob.name);
      await waitFor(() => seen.includes(inTx.ticketId), 20);
      // Queued outside a transaction: the queue wakes its workers itself.
      const direct = job();
      await jobs.enqueuePipeline(direct);
      await waitFor(() => seen.includes(direct.ticketId), 20);
      // A worker that found jobs fetches again at once: three jobs, one per fetch, after a single wake-up.
      const three = [job(), job(), job()];
      await t.desk.database.db.transaction(async (tx) => {
        for (const j of three) await jobs.enqueuePipeline(j, tx);
      });
      jobs.wake(pipelineJob.name);
      await waitFor(() => three.every((j) => seen.includes(j.ticketId)), 20);
      // Each job handed over once.
      expect(seen.toSorted()).toEqual([inTx, direct, ...three].map((j) => j.ticketId).toSorted());
    } finally {
      await jobs.stop();
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
      const fetches = recordingFetches(t.desk.database);
      const other = new JobQueue(fetches.database, pino({ level: 'silent' }));
      try {
        await other.start();
        const seen: string[] = [];
        await other.workBatch(
          pipelineJob,
          { concurrency: 1, batchSize: 8, pollingIntervalSeconds: NEVER_POLLS_SECONDS },
          async (jobs) => {
            seen.push(...jobs.map((j) => j.data.ticketId));
            return jobs.map(() => null);
          },
        );
        // Its first fetch found nothing: from now on only an announcement makes it fetch within the test.
        await waitFor(() => fetches.found.length === 1, 20);
        expect(fetches.found).toEqual([0]);
        const job = { workspaceId: randomUUID(), ticketId: randomUUID(), trigger: 'created' as const };
        await t.desk.database.db.transaction(async (tx) => {
          await t.desk.jobs.enqueuePipeline(job, tx);
          // Not before the commit. (A gap, not a wait: an early announcement would start a fetch within it; a
          // slow machine can only hide one, never fail this.)
          await sleep(300);
          expect(fetches.started()).toBe(1);
        });
        await waitFor(() => seen.includes(job.ticketId), 20);
        // Queued outside a transaction (a customer's reply): announced at once.
        const reply = { workspaceId: randomUUID(), ticketId: randomUUID(), trigger: 'customer_message' as const };
        await t.desk.jobs.enqueuePipeline(reply);
        await waitFor(() => seen.includes(reply.ticketId), 20);
      } finally {
        await other.stop();
        await t.close();
      }
    },
  );
});
