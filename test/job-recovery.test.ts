/**
 * Jobs a dead process held come back long before their timeout (600 s here): embedded, at the next start
 * (the process is the only worker of its data folder); on a server, once the worker that held them stops
 * beating. See docs/crash-safety.md; test/crash.test.ts does the same with SIGKILLed processes.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { JobQueue, learnJob } from '../src/jobs/queue.js';
import { runDeskmind } from '../src/ops/processes.js';
import { openPglite } from '../src/store/db.js';
import { backends, openTestDatabase } from './helpers.js';
import { TEMPLATE_DIR } from './template.js';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const payload = {
  workspaceId: '00000000-0000-4000-8000-000000000001',
  ticketId: '00000000-0000-4000-8000-000000000002',
};

describe('embedded: the jobs a stopped process held', () => {
  it('are taken back at the next start, and the data folder serves one process at a time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-recovery-'));
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

    // A process fetches a job (it is active) and is gone before finishing it.
    const first = await openPglite(dir);
    const q1 = new JobQueue(first, logger, { jobTimeoutSeconds: 600 });
    await q1.start();
    await q1.enqueueLearning(payload);
    const [job] = await q1.boss.fetch(learnJob.name);
    expect(job).toBeDefined();
    await q1.stop();
    await first.close();

    const second = await openPglite(dir);
    cleanups.push(() => second.close());
    const q2 = new JobQueue(second, logger, { jobTimeoutSeconds: 600 });
    await q2.start();
    cleanups.push(() => q2.stop());
    const after = await q2.boss.getJobById(learnJob.name, job!.id);
    expect(after?.state).toBe('retry');

    // Another process may not open the folder while this one holds it.
    await expect(
      runDeskmind(['create-workspace', '--name', 'Intruder', '--json'], {
        DESKMIND_DATA_DIR: dir,
        DATABASE_URL: '',
        DESKMIND_LOG_LEVEL: 'silent',
      }),
    ).rejects.toThrow(/in use by process \d+/);
  });
});

describe.skipIf(!backends().includes('postgres'))('server: the jobs of a worker that stopped beating', () => {
  it('are retried by another worker after the lease; a live worker keeps its long jobs', async () => {
    const database = await openTestDatabase('postgres');
    cleanups.push(() => database.cleanup());
    // The live worker beats every third of the lease, so it keeps its job unless this process or the database
    // stalls for two thirds of it (4 s): the lease is the product's own rule for a dead worker, the margin is
    // what a loaded machine must not cross.
    const lease = 6;
    const dead = new JobQueue(database, logger, { jobTimeoutSeconds: 600, workerLeaseSeconds: lease });
    const live = new JobQueue(database, logger, { jobTimeoutSeconds: 600, workerLeaseSeconds: lease });
    await dead.start();
    await live.start();
    cleanups.push(
      () => dead.stop(),
      () => live.stop(),
    );

    // A job fetched by a worker that then died (it never beats for it).
    await dead.enqueueLearning(payload);
    const [orphan] = await dead.boss.fetch(learnJob.name);
    expect(orphan).toBeDefined();

    // A long job in the hands of a live worker.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let got!: (id: string) => void;
    const taken = new Promise<string>((r) => (got = r));
    let gotSecond!: (id: string) => void;
    const second = new Promise<string>((r) => (gotSecond = r));
    const seen: string[] = [];
    await live.work(learnJob, { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (_data, id) => {
      seen.push(id);
      if (seen.length === 2) gotSecond(id);
      if (id === orphan!.id) return got(id);
      await held;
    });
    // Waits on the worker taking it (the test's own timeout ends a hang), not on a deadline.
    expect(await taken).toBe(orphan!.id);
    expect((await live.boss.getJobById(learnJob.name, orphan!.id))?.retryCount).toBe(1);

    await live.enqueueLearning(payload);
    const longId = await second;
    // Once it has been active for longer than the lease, it is still its worker's.
    // The job's age is the database's clock (pg-boss's `started_on`): poll it, with no deadline of our own.
    for (;;) {
      const { rows } = await database.executeSql(
        `select extract(epoch from now() - started_on)::float8 as age from pgboss.job where id = $1`,
        [longId],
      );
      if (Number(rows[0]!.age) > lease + 1) break;
      await sleep(200);
    }
    expect(await dead.failOrphans()).toBe(0);
    expect((await live.boss.getJobById(learnJob.name, longId))?.state).toBe('active');
    release();
  });
});
