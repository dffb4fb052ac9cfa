import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { z } from 'zod';
import { sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx, ExecuteSql } from '../store/db.js';
import { databaseUnavailable } from '../store/pg-errors.js';

/** The PostgreSQL channel on which processes announce the jobs they queued (the payload is the queue's name). */
export const JOBS_CHANNEL = 'deskmind_jobs';

/**
 * Raw SQL through a drizzle handle, so that pg-boss can write a job inside the caller's transaction
 * (the job then exists exactly when the rows it is about were committed: a transactional outbox).
 */
export function sqlExecutor(db: DbOrTx): ExecuteSql {
  return async (text, values = []) => {
    const parts = text.split(/\$(\d+)/);
    const chunks: SQL[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (i % 2 === 0) {
        if (parts[i]) chunks.push(sql.raw(parts[i]!));
      } else chunks.push(sql`${values[Number(parts[i]) - 1] ?? null}`);
    }
    const res = (await db.execute(sql.join(chunks))) as unknown as { rows: Record<string, unknown>[] };
    return { rows: res.rows };
  };
}

/** A job definition: its queue name, payload schema and retry policy. */
export interface JobDefinition<S extends z.ZodType> {
  name: string;
  payload: S;
  retryLimit: number;
  expireInSeconds: number;
}

/** The ticket pipeline for one ticket (enrich → understand → decide → …). */
export const pipelineJob = {
  name: 'ticket-pipeline',
  payload: z.object({
    workspaceId: z.uuid(),
    ticketId: z.uuid(),
    trigger: z.enum(['created', 'customer_message', 'replay']),
    runId: z.string(),
  }),
  retryLimit: 5,
  expireInSeconds: 300,
} satisfies JobDefinition<z.ZodType>;
export type PipelineJob = z.infer<typeof pipelineJob.payload>;
/**
 * Pipeline jobs a worker loop fetches, and decides, at once (see `JobQueue.workBatch` and
 * `runPipelineBatch`). Embedded, 600 tickets offered at 200/s (one-off runs, back to back): 8 → 59, 16 → 70,
 * 32 → 99, 64 → 102, 128 → 101 tickets/s, with creation → decision p99 growing past 32 (0.65 s, 1.1 s, 1.7 s);
 * a later pair on the same code gave 8 → 62 and 32 → 67–78 (runs vary on the shared machine).
 */
export const PIPELINE_BATCH_SIZE = 32;

/** Closes quiet resolved tickets, wakes snoozed ones and re-queues any ticket whose pipeline never ran. */
export const sweepJob = {
  name: 'lifecycle-sweep',
  payload: z.object({}).passthrough(),
  retryLimit: 1,
  expireInSeconds: 300,
} satisfies JobDefinition<z.ZodType>;

/** Learns online from one human intent label. */
export const learnJob = {
  name: 'learn-label',
  payload: z.object({ workspaceId: z.uuid(), ticketId: z.uuid() }),
  retryLimit: 3,
  expireInSeconds: 120,
} satisfies JobDefinition<z.ZodType>;

/** Retrains one workspace's intent model on all its labels in the background (queued by the sweep when due). */
export const retrainJob = {
  name: 'retrain-intents',
  payload: z.object({ workspaceId: z.uuid() }),
  retryLimit: 1,
  expireInSeconds: 3600,
} satisfies JobDefinition<z.ZodType>;

/**
 * Tickets of one workspace waiting for a topic join it (queued after each pipeline commit, at most one per
 * workspace every few seconds; the sweep joins what is left). The tickets a join claims are claimed in its own
 * transaction (src/insights/topics.ts), so a job retried after a crash assigns none twice.
 */
export const topicsJob = {
  name: 'insight-topics',
  payload: z.object({ workspaceId: z.uuid() }),
  retryLimit: 3,
  expireInSeconds: 300,
} satisfies JobDefinition<z.ZodType>;
/** Seconds between two topics jobs of one workspace (a ticket decided meanwhile waits for the next). */
export const TOPICS_JOB_SECONDS = 5;

export const JOBS = [pipelineJob, sweepJob, learnJob, retrainJob, topicsJob];
const JOB_NAMES = JOBS.map((j) => j.name);

/** The durable job queue (pg-boss) on the application's own database. */
export class JobQueue {
  readonly boss: PgBoss;
  private started = false;

  private readonly pipelineExpireSeconds: number;
  /** The pg-boss workers this process runs, per queue, and whether each is handling a batch (see `wake`). */
  private readonly workers = new Map<string, { id: string; busy: boolean; holding: string[] }[]>();
  /** Stops listening for other processes' announcements of queued jobs. */
  private unlisten: Promise<() => Promise<void>> | null = null;
  private readonly leaseSeconds: number;
  private livenessTimer: NodeJS.Timeout | undefined;

  /**
   * `jobTimeoutSeconds`: how long a pipeline job may stay active before it counts as failed and is retried.
   * Recovery of the jobs a dead process held (see docs/crash-safety.md): on the embedded database this process
   * is the only worker (it holds the data folder's lock), so `start` takes back every job left active at once;
   * on a server, each worker process beats every `workerLeaseSeconds / 3` and names the jobs it holds, and a
   * job active for longer than `workerLeaseSeconds` that no live worker holds is failed (and so retried).
   */
  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
    opts: { jobTimeoutSeconds?: number; workerLeaseSeconds?: number } = {},
  ) {
    this.leaseSeconds = opts.workerLeaseSeconds ?? 15;
    this.pipelineExpireSeconds = opts.jobTimeoutSeconds ?? pipelineJob.expireInSeconds;
    const maintenanceIntervalSeconds = Math.max(1, Math.min(60, Math.floor(this.pipelineExpireSeconds / 4)));
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => database.executeSql(text, values) },
      schema: 'pgboss',
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds,
    });
    // a database that is down or restarting is an outage the queue rides out (its jobs are retried), not a fault
    this.boss.on('error', (err) =>
      databaseUnavailable(err)
        ? this.logger.warn({ err }, 'job queue: database unavailable')
        : this.logger.error({ err }, 'job queue error'),
    );
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const job of JOBS) {
      const expireInSeconds = job.name === pipelineJob.name ? this.pipelineExpireSeconds : job.expireInSeconds;
      await this.boss.createQueue(job.name, {
        name: job.name,
        retryLimit: job.retryLimit,
        retryBackoff: true,
        retryDelay: 1,
        expireInSeconds,
      });
      // Keep an existing queue's policy in step with the configuration.
      await this.boss.updateQueue(job.name, {
        name: job.name,
        retryLimit: job.retryLimit,
        retryBackoff: true,
        retryDelay: 1,
        expireInSeconds,
      });
    }
    this.started = true;
    if (this.soleWorker) {
      const taken = await this.failOrphans(0);
      if (taken) this.logger.warn({ jobs: taken }, 'took back the jobs a stopped process left active');
    }
  }

  /** On the embedded database this process is the only one, so every active job it did not fetch is an orphan. */
  private get soleWorker(): boolean {
    return this.database.kind === 'pglite';
  }

  /**
   * Fails (so that they are retried, or failed for good after their retries) the jobs that have been active
   * for more than `olderThanSeconds` and that no live worker names as its own; returns how many. With 0 on
   * the embedded database: every active job (the process that fetched them is gone).
   */
  async failOrphans(olderThanSeconds = this.leaseSeconds): Promise<number> {
    const live = this.soleWorker
      ? ''
      : `and not exists (select 1 from job_workers w where j.id = any(w.jobs) and w.beat_at >= now() - ` +
        `make_interval(secs => $2::double precision))`;
    const { rows } = await this.database.executeSql(
      `select j.name, j.id from pgboss.job j
        where j.name = any($1::text[]) and j.state = 'active' and j.started_on <= now() - make_interval(secs =>
          $2::double precision) ${live}`,
      [JOB_NAMES, olderThanSeconds],
    );
    const byQueue = new Map<string, string[]>();
    for (const r of rows) byQueue.set(String(r.name), [...(byQueue.get(String(r.name)) ?? []), String(r.id)]);
    // pg-boss 10 takes a list of ids with the output too (its typings list the two apart).
    const fail = this.boss.fail.bind(this.boss) as (name: string, ids: string[], data: object) => Promise<void>;
    for (const [name, ids] of byQueue) await fail(name, ids, { message: 'the process that held this job stopped' });
    return rows.length;
  }

  /**
   * Server mode: this process's worker loops beat (so that their jobs are known to be held), and look for
   * the jobs of workers that stopped beating, every third of the lease; stale rows of dead workers are dropped.
   */
  private startLiveness(): void {
    if (this.soleWorker || this.livenessTimer) return;
    const beat = async () => {
      // What each loop holds, from memory: also corrects a list a lost connection kept from being written.
      const loops = [...this.workers.values()].flat().map((w) => ({ id: w.id, jobs: w.holding }));
      await this.database.executeSql(
        `insert into job_workers (id, beat_at, jobs) select id, now(), jobs from jsonb_to_recordset($1::jsonb) as ` +
          `v(id text, jobs uuid[])
         on conflict (id) do update set beat_at = now(), jobs = excluded.jobs`,
        [JSON.stringify(loops)],
      );
      const failed = await this.failOrphans();
      if (failed) this.logger.warn({ jobs: failed }, 'retrying the jobs of a worker that stopped');
      await this.database.executeSql(`delete from job_workers where beat_at < now() - interval '1 day'`);
    };
    this.livenessTimer = setInterval(
      () => void beat().catch((err) => this.logger.warn({ err }, 'worker heartbeat failed')),
      (this.leaseSeconds * 1000) / 3,
    );
    this.livenessTimer.unref();
  }

  /** Server mode: names the jobs a worker loop holds (an empty list when it holds none). */
  private async hold(worker: { id: string; holding: string[] }, jobIds: string[]): Promise<void> {
    worker.holding = jobIds;
    if (this.soleWorker) return;
    await this.database.executeSql(
      `insert into job_workers (id, beat_at, jobs) values ($1, now(), $2::uuid[]) on conflict (id) do update set ` +
        `beat_at = now(), jobs = excluded.jobs`,
      [worker.id, jobIds],
    );
  }

  /** Queues the pipeline for a ticket (inside the transaction `tx` when given); returns the run id. */
  async enqueuePipeline(payload: Omit<PipelineJob, 'runId'> & { runId?: string }, tx?: DbOrTx): Promise<string> {
    const runId = payload.runId ?? randomUUID();
    await this.boss.send(pipelineJob.name, { ...payload, runId }, tx ? { db: { executeSql: sqlExecutor(tx) } } : {});
    await this.announce(pipelineJob.name, tx);
    if (!tx) this.wake(pipelineJob.name);
    return runId;
  }

  /**
   * In a process that runs no worker of the queue (an API process of a scaled deployment), tells the
   * workers of the other processes that jobs are queued: a notification that PostgreSQL delivers when `tx`
   * commits (at once without one). A process with workers wakes them itself (`wake`).
   */
  private async announce(name: string, tx?: DbOrTx): Promise<void> {
    if (this.workers.has(name)) return;
    const notify = sql`select pg_notify(${JOBS_CHANNEL}, ${name})`;
    if (tx) await tx.execute(notify);
    else await this.database.db.execute(notify);
  }

  /**
   * Tells this process's workers of a queue that jobs are waiting, so they fetch now rather than at the end
   * of their polling interval. Call it after the transaction that queued the jobs committed; workers of
   * other processes find the jobs at their next poll.
   */
  wake(name: string): void {
    // A worker handling a batch looks for more when it ends anyway (see `workBatch`).
    for (const worker of this.workers.get(name) ?? []) if (!worker.busy) this.boss.notifyWorker(worker.id);
  }

  /**
   * Queues the pipeline for many tickets in one statement (inside the transaction `tx`, like
   * `enqueuePipeline`); returns their run ids, in order.
   */
  async enqueuePipelines(payloads: Omit<PipelineJob, 'runId'>[], tx: DbOrTx): Promise<string[]> {
    if (!payloads.length) return [];
    const jobs = payloads.map((p) => ({ name: pipelineJob.name, data: { ...p, runId: randomUUID() } }));
    await this.boss.insert(jobs, { db: { executeSql: sqlExecutor(tx) } });
    await this.announce(pipelineJob.name, tx);
    return jobs.map((j) => j.data.runId);
  }

  /** Queues online learning from a ticket's human label (one at a time per workspace, in order). */
  async enqueueLearning(payload: z.infer<typeof learnJob.payload>): Promise<void> {
    await this.boss.send(learnJob.name, payload);
  }

  /** Queues a background retrain of a workspace's intent model (at most one queued per workspace). */
  async enqueueRetrain(payload: z.infer<typeof retrainJob.payload>): Promise<void> {
    await this.boss.send(retrainJob.name, payload, {
      singletonKey: `retrain:${payload.workspaceId}`,
      singletonSeconds: 600,
    });
  }

  /** Queues a topics join for a workspace: one per TOPICS_JOB_SECONDS, a later request going to the next slot. */
  async enqueueTopics(payload: z.infer<typeof topicsJob.payload>): Promise<void> {
    await this.boss.sendDebounced(topicsJob.name, payload, {}, TOPICS_JOB_SECONDS, `topics:${payload.workspaceId}`);
  }

  async enqueueSweep(): Promise<void> {
    await this.boss.send(sweepJob.name, {}, { singletonKey: 'sweep', singletonSeconds: 30 });
  }

  /**
   * Runs `handler` for each job of a definition, validating the payload first (one after another within
   * each batch the loops fetch; see `workBatch`).
   */
  async work<S extends z.ZodType>(
    def: JobDefinition<S>,
    opts: { concurrency: number; batchSize?: number; pollingIntervalSeconds?: number },
    handler: (payload: z.infer<S>, jobId: string) => Promise<void>,
  ): Promise<void> {
    await this.workBatch(def, opts, async (jobs) => {
      const failures: (Error | null)[] = [];
      for (const job of jobs)
        failures.push(
          await handler(job.data, job.id).then(
            () => null,
            (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
          ),
        );
      return failures;
    });
  }

  /**
   * Runs `handler` on the jobs of a definition a batch at a time, validating the payloads first (an invalid
   * one is dropped). Each of the `concurrency` loops fetches up to `batchSize` jobs at a time, fetches again
   * as soon as a batch is handled, and waits out the polling interval only after a fetch that found nothing
   * (or until `wake`). The handler returns each job's error, or null: a job that failed is failed (and retried)
   * alone; the others of its batch complete.
   */
  async workBatch<S extends z.ZodType>(
    def: JobDefinition<S>,
    opts: { concurrency: number; batchSize?: number; pollingIntervalSeconds?: number },
    handler: (jobs: { id: string; data: z.infer<S> }[]) => Promise<(Error | null)[]>,
  ): Promise<void> {
    for (let i = 0; i < opts.concurrency; i++) {
      const worker = { id: '', busy: false, holding: [] as string[] };
      worker.id = await this.boss.work(
        def.name,
        { batchSize: opts.batchSize ?? 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 0.5 },
        async (jobs) => {
          worker.busy = true;
          try {
            await this.hold(
              worker,
              jobs.map((j) => j.id),
            );
            const valid: { id: string; data: z.infer<S> }[] = [];
            for (const job of jobs) {
              const parsed = def.payload.safeParse(job.data);
              if (parsed.success) valid.push({ id: job.id, data: parsed.data });
              else this.logger.error({ job: job.id, queue: def.name }, 'invalid job payload dropped');
            }
            if (!valid.length) return;
            const failures = await handler(valid);
            // A batch of one fails through pg-boss itself.
            if (jobs.length === 1 && failures[0]) throw failures[0];
            for (const [k, err] of failures.entries()) {
              if (!err) continue;
              const job = valid[k]!;
              this.logger.warn({ err, job: job.id, queue: def.name }, 'job failed');
              // The batch's completion only touches jobs still active, so this one stays failed (and is retried).
              await this.boss.fail(def.name, job.id, { message: err.message });
            }
          } finally {
            await this.hold(worker, []).catch((err: unknown) =>
              this.logger.warn({ err }, 'could not release the jobs held'),
            );
            worker.busy = false;
            // A worker that found jobs looks for more at once (pg-boss would wait out the polling interval
            // after any fetch that took less, full or not).
            if (worker.id) this.boss.notifyWorker(worker.id);
          }
        },
      );
      this.workers.set(def.name, [...(this.workers.get(def.name) ?? []), worker]);
      await this.hold(worker, []);
    }
    this.startLiveness();
    // Other processes announce the jobs they queue (see `announce`).
    this.unlisten ??= this.database.listen(JOBS_CHANNEL, (name) => this.wake(name));
    await this.unlisten;
  }

  /** Jobs of a queue that are not finished yet (created, retrying or active). */
  async pending(name: string): Promise<number> {
    return this.boss.getQueueSize(name);
  }

  async stop(): Promise<void> {
    clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
    const unlisten = this.unlisten;
    this.unlisten = null;
    if (unlisten) await (await unlisten.catch(() => async () => undefined))();
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    const ids = [...this.workers.values()].flat().map((w) => w.id);
    this.workers.clear();
    if (!this.soleWorker && ids.length)
      await this.database
        .executeSql(`delete from job_workers where id = any($1::text[])`, [ids])
        .catch(() => undefined);
  }
}
