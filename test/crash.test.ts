/**
 * Crash safety with real processes of the built CLI: a server SIGKILLed mid-load, a worker SIGKILLed
 * mid-job, PostgreSQL restarted under load. Every ticket acknowledged with 201 must be stored exactly once
 * and decided exactly once; none is lost.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { loadConfig } from '../src/config.js';
import { freePort, runDeskmind, startDeskmind, waitReady, type DeskmindProcess } from '../src/ops/processes.js';
import { openPglite, type Database } from '../src/store/db.js';
import { NO_DEADLINE, waitFor } from './helpers-wait.js';
import { TEMPLATE_DIR } from './template.js';

const config = loadConfig({ logLevel: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Jobs time out only after 600 s here: the jobs a killed process held must come back by recovery (at the
 * restart embedded, through the workers' heartbeats on a server), well within the waits below.
 */
const RECOVERY_ENV = { DESKMIND_JOB_TIMEOUT_SECONDS: '600', DESKMIND_WORKER_LEASE_SECONDS: '3' };
const BASE_ENV = {
  DESKMIND_LOG_LEVEL: 'warn',
  DESKMIND_JOB_TIMEOUT_SECONDS: '4',
  DESKMIND_SWEEP_INTERVAL_SECONDS: '3600',
  DESKMIND_RATE_LIMIT_PER_MINUTE: '0',
  DESKMIND_RATE_LIMIT_IP_PER_MINUTE: '0',
};

/**
 * Sends tickets with unique subjects (4 in flight) until `stop()`; remembers which were acknowledged and counts the
 * requests that failed. `until(condition)` resolves once the condition holds, checked after every request's outcome.
 */
function loadGenerator(getUrl: () => string, apiKey: string, prefix: string) {
  const acked = new Map<string, string>(); // subject -> ticket id
  const sent = new Set<string>();
  let failed = 0;
  let waiters: { condition: () => boolean; resolve: () => void }[] = [];
  const settled = () => {
    const ready = waiters.filter((w) => w.condition());
    waiters = waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  };
  let running = true;
  let i = 0;
  const worker = async () => {
    while (running) {
      const subject = `${prefix}-${i++}`;
      sent.add(subject);
      try {
        const res = await fetch(`${getUrl()}/api/v1/tickets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            subject,
            message: { text: 'I was charged twice for my subscription, please refund.' },
            customer: { email: `c${i % 7}@crash.example` },
          }),
          signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json().catch(() => null)) as { ticket?: { id: string } } | null;
        if (res.status === 201 && body?.ticket) acked.set(subject, body.ticket.id);
        else failed++;
        settled();
      } catch {
        failed++;
        settled();
        await sleep(50); // pacing: connection refused or reset while the server is down
      }
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  return {
    acked,
    sent,
    get failed() {
      return failed;
    },
    until(condition: () => boolean): Promise<void> {
      return condition() ? Promise.resolve() : new Promise((resolve) => waiters.push({ condition, resolve }));
    },
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

/**
 * Polls until every acknowledged ticket has finished its pipeline (a `pipeline.*` event). No deadline of its own:
 * the test's timeout ends a hang (and `logOnFailure` shows the processes' last lines then).
 */
async function waitDecided(db: () => Promise<{ rows: Record<string, unknown>[] }>, expected: number): Promise<void> {
  await waitFor(async () => Number((await db()).rows[0]?.n ?? 0) >= expected, 500);
}

/** On failure (a timeout too), prints the last log lines of the test's processes. */
function logOnFailure(procs: () => DeskmindProcess[]): void {
  onTestFailed(() => {
    for (const p of procs()) console.error(`--- pid ${p.child.pid}:\n${p.tail()}`);
  });
}

/** The exactly-once facts of the acknowledged tickets. */
async function verify(
  database: Pick<Database, 'executeSql'>,
  acked: Map<string, string>,
  sent: Set<string>,
  prefix: string,
) {
  const { rows } = await database.executeSql(
    `select t.id, t.subject,
            (select count(*) from events e where e.ticket_id = t.id ` +
      `and e.type in ('pipeline.completed', 'pipeline.failed'))::int as runs,
            (select count(distinct d.run_id) from decisions d ` +
      `where d.ticket_id = t.id and d.stage = 'decide')::int as decide_runs,
            (select string_agg(d.stage || ': ' || (d.result ->> 'error'), '; ') from decisions d ` +
      `where d.ticket_id = t.id and not d.ok) as errors
       from tickets t where t.subject like $1`,
    [`${prefix}-%`],
  );
  const bySubject = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) bySubject.set(String(r.subject), [...(bySubject.get(String(r.subject)) ?? []), r]);
  // Nothing stored twice, nothing stored that was never sent.
  for (const [subject, list] of bySubject) {
    expect(list, subject).toHaveLength(1);
    expect(sent.has(subject), subject).toBe(true);
  }
  for (const [subject, id] of acked) {
    const list = bySubject.get(subject);
    expect(list, `acknowledged ${subject} is stored`).toBeDefined();
    expect(list![0]!.id).toBe(id);
    expect(list![0]!.runs, `${subject} decided exactly once`).toBe(1);
    expect(list![0]!.decide_runs, `${subject} has one decision record (${list![0]!.errors ?? 'no stage failed'})`).toBe(
      1,
    );
  }
  return rows.length;
}

/** {@link verify} on a PostgreSQL server, through a connection of its own. */
async function verifyOnServer(url: string, load: { acked: Map<string, string>; sent: Set<string> }, prefix: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await verify(
      { executeSql: async (text, values) => ({ rows: (await c.query(text, values)).rows }) },
      load.acked,
      load.sent,
      prefix,
    );
  } finally {
    await c.end();
  }
}

const decidedSql = (prefix: string) =>
  `select count(distinct t.id)::int as n from tickets t join events e on e.ticket_id = t.id and e.type in ` +
  `('pipeline.completed', 'pipeline.failed') where t.subject like '${prefix}-%'`;

describe('crash safety, embedded (PGlite)', () => {
  it(
    'keeps every acknowledged ticket exactly once, decided ' + 'exactly once, across a SIGKILL of the server mid-load',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-crash-'));
      cpSync(TEMPLATE_DIR, dir, { recursive: true });
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = {
        ...BASE_ENV,
        ...RECOVERY_ENV,
        DESKMIND_DATA_DIR: dir,
        DATABASE_URL: '',
        DESKMIND_PORT: String(port),
      };
      const { apiKey } = JSON.parse(await runDeskmind(['create-workspace', '--name', 'Crash', '--json'], env)) as {
        apiKey: string;
      };

      let server: DeskmindProcess = startDeskmind(['serve'], env);
      cleanups.push(() => server.kill());
      logOnFailure(() => [server]);
      await waitReady(url, server, NO_DEADLINE);
      const load = loadGenerator(() => url, apiKey, 'emb');
      await load.until(() => load.acked.size >= 40);
      await server.kill(); // SIGKILL: no graceful shutdown, requests and jobs in flight
      const ackedAtCrash = load.acked.size;
      const failedAtCrash = load.failed;
      // the load meets the server that is down
      await load.until(() => load.failed > failedAtCrash);
      const restartedAt = Date.now();
      server = startDeskmind(['serve'], env);
      await waitReady(url, server, NO_DEADLINE);
      const readyAt = Date.now();
      await load.until(() => load.acked.size >= ackedAtCrash + 30);
      await load.stop();
      const loadedAt = Date.now();
      expect(load.sent.size).toBeGreaterThan(load.acked.size - 1);

      // Wait for the queue to drain through the API (the database is the server's own), then check on disk. No
      // deadline: the test's timeout ends a hang.
      const undecided = async (id: string) =>
        (
          (await (
            await fetch(`${url}/api/v1/tickets/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })
          ).json()) as { decisions: unknown[] }
        ).decisions.length === 0;
      await waitFor(async () => !(await Promise.all([...load.acked.values()].map(undecided))).some(Boolean), 500);
      const s = (t: number) => ((t - restartedAt) / 1000).toFixed(1);
      console.log(
        `embedded: ready ${s(readyAt)} s after the restart, load ended at ${s(loadedAt)} s, all ` +
          `${load.acked.size} acknowledged tickets decided at ${s(Date.now())} s`,
      );
      // A gap, not a wait: in-flight retries of unacknowledged tickets finish, and a second run of an acknowledged
      // one would show; a slow machine can only hide such a run, never fail the checks below.
      await sleep(1000);
      await server.stop();
      const database = await openPglite(dir);
      try {
        const stored = await verify(database, load.acked, load.sent, 'emb');
        expect(stored).toBeGreaterThanOrEqual(load.acked.size);
      } finally {
        await database.close();
      }
    },
  );
});

const pgBin = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const v = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return v && existsSync(path.join(root, v, 'bin', 'pg_ctl')) ? path.join(root, v, 'bin') : null;
})();

describe.skipIf(!config.testDatabaseUrl)('crash safety, PostgreSQL server', () => {
  /** A fresh database on the test server and the environment of processes using it. */
  async function scratch(adminUrl: string) {
    const name = `deskmind_crash_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await c.end();
    });
    const query = async (text: string) => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      try {
        return await c.query(text);
      } finally {
        await c.end();
      }
    };
    return { url: url.toString(), query };
  }

  it(
    'survives a worker SIGKILLed mid-job: its jobs are ' + 'retried by another worker, each ticket decided once',
    async () => {
      const db = await scratch(config.testDatabaseUrl!);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = {
        ...BASE_ENV,
        ...RECOVERY_ENV,
        DATABASE_URL: db.url,
        DESKMIND_PORT: String(port),
        DESKMIND_WORKER_CONCURRENCY: '4',
      };
      const { apiKey } = JSON.parse(await runDeskmind(['create-workspace', '--name', 'Crash', '--json'], env)) as {
        apiKey: string;
      };
      const api = startDeskmind(['serve', '--no-worker'], env);
      cleanups.push(() => api.kill());
      const procs = [api];
      logOnFailure(() => procs);
      await waitReady(url, api, NO_DEADLINE);
      const load = loadGenerator(() => url, apiKey, 'wrk');
      const first = startDeskmind(['worker'], env);
      cleanups.push(() => first.kill());
      procs.push(first);
      // Kill the worker while it has jobs in hand (no deadline: the test's timeout ends a hang).
      await waitFor(async () => {
        const active = Number(
          (await db.query(`select count(*)::int n from pgboss.job where name = 'ticket-pipeline' and state = 'active'`))
            .rows[0].n,
        );
        if (first.child.exitCode !== null) throw new Error(`the worker exited:\n${first.tail()}`);
        return active > 0 && load.acked.size > 30;
      }, 20);
      await first.kill();
      const killedAt = Date.now();
      const second = startDeskmind(['worker'], env);
      cleanups.push(() => second.kill());
      procs.push(second);
      await load.until(() => load.acked.size >= 80);
      await load.stop();
      await waitDecided(async () => (await db.query(decidedSql('wrk'))) as never, load.acked.size);
      console.log(
        `server: all ${load.acked.size} acknowledged tickets decided ${((Date.now() - killedAt) / 1000).toFixed(1)} ` +
          `s after the worker was killed`,
      );
      // A gap, not a wait: a second run of a ticket would show; a slow machine can only hide one, never fail this.
      await sleep(1000);
      const retried = Number(
        (await db.query(`select count(*)::int n from pgboss.job where name = 'ticket-pipeline' and retry_count > 0`))
          .rows[0].n,
      );
      expect(retried).toBeGreaterThan(0); // the killed worker's jobs really were taken over
      await verifyOnServer(db.url, load, 'wrk');
      await second.stop();
      await api.stop();
    },
  );

  it.skipIf(!pgBin || process.getuid?.() !== 0)(
    'survives PostgreSQL restarted under load (immediate shutdown, as in a crash)',
    async () => {
      // A private PostgreSQL cluster, so that restarting it disturbs no other suite.
      const dataDir = mkdtempSync(path.join(tmpdir(), 'deskmind-crash-pg-'));
      const pgPort = await freePort();
      const su = (cmd: string) => execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { stdio: 'pipe' });
      execFileSync('chown', ['postgres:postgres', dataDir]);
      su(`${pgBin}/initdb -D ${dataDir} -A trust -U postgres >/dev/null`);
      const start = () =>
        su(
          `${pgBin}/pg_ctl -D ${dataDir} -l ${dataDir}/server.log -o "-k /tmp -p ${pgPort} -c ` +
            `listen_addresses=127.0.0.1" -w start >/dev/null`,
        );
      start();
      cleanups.push(() => {
        try {
          su(`${pgBin}/pg_ctl -D ${dataDir} -m immediate stop >/dev/null`);
        } catch {
          /* already stopped */
        }
        rmSync(dataDir, { recursive: true, force: true });
      });
      const db = await scratch(`postgres://postgres@127.0.0.1:${pgPort}/postgres`);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = { ...BASE_ENV, DATABASE_URL: db.url, DESKMIND_PORT: String(port) };
      const { apiKey } = JSON.parse(await runDeskmind(['create-workspace', '--name', 'Crash', '--json'], env)) as {
        apiKey: string;
      };
      const api = startDeskmind(['serve', '--no-worker'], env);
      const worker = startDeskmind(['worker'], env);
      cleanups.push(
        () => api.kill(),
        () => worker.kill(),
      );
      logOnFailure(() => [api, worker]);
      await waitReady(url, api, NO_DEADLINE);
      const load = loadGenerator(() => url, apiKey, 'pgr');
      await load.until(() => load.acked.size >= 30);
      su(`${pgBin}/pg_ctl -D ${dataDir} -m immediate stop >/dev/null`);
      // A gap, not a wait: the load meets a database that is down; a slow machine cannot fail it.
      await sleep(1500);
      start();
      const ackedAtRestart = load.acked.size;
      // The API recovers by itself (no deadline: the test's timeout ends a hang).
      await load.until(() => load.acked.size >= ackedAtRestart + 30);
      await load.stop();
      // The processes recovered by themselves (no restart of Deskmind).
      expect(api.child.exitCode, api.tail()).toBeNull();
      expect(worker.child.exitCode, worker.tail()).toBeNull();
      await waitDecided(async () => (await db.query(decidedSql('pgr'))) as never, load.acked.size);
      // A gap, not a wait: a second run of a ticket would show; a slow machine can only hide one, never fail this.
      await sleep(1000);
      await verifyOnServer(db.url, load, 'pgr');
      await worker.stop();
      await api.stop();
    },
  );
});
