import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Deskmind } from '../app.js';
import { createLogger } from './logger.js';
import { childEnvironment, loadConfig } from '../config.js';
import { seedDemo } from '../demo/seed.js';
import { openPglite, type Database } from '../store/db.js';
import { cpuTimeMs, freePort, peakRss, startDeskmind, waitReady, type DeskmindProcess } from './processes.js';

/** One load scenario: where the data lives and how many worker processes drain the queue. */
export interface LoadScenario {
  name: string;
  /** `embedded`: one `serve` process (API and worker) on PGlite. `server`: one API process and `workers` worker
   * processes on PostgreSQL. */
  mode: 'embedded' | 'server';
  workers: number;
}

export interface LoadOptions {
  /** Tickets sent during the measured phase. */
  tickets: number;
  /** Offered arrival rate (tickets per second, open loop). */
  rate: number;
  /** Most requests in flight at once (the client's connection budget). */
  concurrency: number;
  /** PostgreSQL server for the server scenarios (a fresh database is created and dropped per scenario). */
  databaseUrl?: string | undefined;
  /** Longest wait for the queue to drain after the last request. */
  drainTimeoutSeconds: number;
  /** Pipeline jobs each worker process runs at once. */
  workerConcurrency: number;
  log?: (line: string) => void;
}

export interface LoadResult {
  scenario: string;
  mode: LoadScenario['mode'];
  apiProcesses: number;
  workerProcesses: number;
  ticketsSent: number;
  accepted: number;
  rejected: Record<string, number>;
  offeredRate: number;
  /** Tickets per second accepted by the API during the send phase. */
  ingestRate: number;
  /** Decided tickets over the time from the first ingest to the last decision. */
  sustainedTicketsPerSecond: number;
  decided: number;
  undecided: number;
  /** Latency of `POST /api/v1/tickets` as the client saw it. */
  ingestLatencyMs: { p50: number; p99: number; max: number };
  /** From the ticket's creation to the end of its first pipeline run (its decision record). */
  decisionLatencyMs: { p50: number; p99: number; max: number };
  peakRssMb: Record<string, number | null>;
  /** CPU time each process spent per accepted ticket during the measured load (user + system, ms): what a ticket costs,
   * whatever else runs on the machine. */
  cpuMsPerTicket: Record<string, number | null>;
  seconds: number;
}

const TEXTS: [string, string][] = [
  ['Cannot log in', 'I changed my password yesterday and now it says invalid credentials. How do I reset it?'],
  ['Charged twice', 'We were billed twice for this month. Please refund the duplicate charge.'],
  ['Export runs', 'Is there a way to export the run history of a pipeline as CSV from the dashboard?'],
  ['Slack alerts', 'It would be great to get a Slack message when a pipeline fails. Any plans?'],
  ['Invoice copy', 'Where can I download the invoice for last month? Our accountant needs a PDF.'],
  ['Two-factor lost phone', 'I lost my phone and cannot get the two-factor code. How can I get back into my account?'],
  ['Upgrade plan', 'We want to move from the Pro plan to Enterprise. How do I upgrade?'],
  ['Cancel subscription', 'Please cancel my subscription at the end of the billing period.'],
  ['Card declined', 'My card was declined when paying the renewal, what should I do?'],
  ['Pipelines failing', 'All our production pipelines fail with a 500 error since this morning. This is urgent.'],
  ['Delete my data', 'Under GDPR I would like all my personal data deleted from your systems.'],
  ['API rate limit', 'The REST API returns 429 errors when we sync more than a thousand records.'],
];
const ACCOUNTS = ['acc_northwind', 'acc_globex', 'acc_initech', 'acc_hooli', 'acc_piedpiper'];

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0;
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: round(pct(s, 50)), p99: round(pct(s, 99)), max: round(s.at(-1) ?? 0) };
};
const round = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ticket body of the i-th request: rotating texts and 200 recurring customers on the demo accounts. */
export function loadTicket(i: number) {
  const [subject, text] = TEXTS[i % TEXTS.length]!;
  const c = i % 200;
  return {
    subject: `${subject} #${i}`,
    message: { text },
    customer: {
      email: `load-${c}@customer${c % ACCOUNTS.length}.example`,
      name: `Load Customer ${c}`,
      accountExternalId: ACCOUNTS[c % ACCOUNTS.length],
    },
  };
}

interface Target {
  env: Record<string, string>;
  /** Opens the scenario's database directly (after its processes stopped, for PGlite). */
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

async function prepareTarget(scenario: LoadScenario, opts: LoadOptions): Promise<Target> {
  if (scenario.mode === 'embedded') {
    const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-load-'));
    return {
      env: { DESKMIND_DATA_DIR: dir, DATABASE_URL: '' },
      open: () => openPglite(dir),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!opts.databaseUrl) throw new Error('server scenarios need a PostgreSQL server (--database-url)');
  const name = `deskmind_load_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: opts.databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(opts.databaseUrl);
  url.pathname = `/${name}`;
  const { openPostgres } = await import('../store/db.js');
  return {
    env: { DATABASE_URL: url.toString() },
    open: async () => openPostgres(url.toString(), 2),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Seeds the demo workspace (accounts, agents, articles, playbooks) in this process and returns an admin key. */
async function seed(target: Target): Promise<{ workspaceId: string; apiKey: string }> {
  const config = loadConfig({ logLevel: 'warn' }, childEnvironment(target.env));
  const database = await target.open();
  await database.migrate();
  const desk = await Deskmind.open({ config, database, worker: false, logger: createLogger(config, 'stderr') });
  try {
    const { workspaceId, apiKey } = await seedDemo(desk, { tickets: false });
    return { workspaceId, apiKey };
  } finally {
    await desk.close();
  }
}

/** Sends `count` tickets open-loop at `rate`/s with at most `concurrency` in flight; returns per-request results. */
export async function sendTickets(
  url: string,
  apiKey: string,
  count: number,
  rate: number,
  concurrency: number,
  offset = 0,
) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const ids: string[] = [];
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  const started = performance.now();
  const one = async (i: number) => {
    const t0 = performance.now();
    try {
      const res = await fetch(`${url}/api/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(loadTicket(offset + i)),
      });
      const body = (await res.json().catch(() => null)) as { ticket?: { id?: string } } | null;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 201 && body?.ticket?.id) {
        ids.push(body.ticket.id);
        latencies.push(performance.now() - t0);
      }
    } catch {
      statuses.network = (statuses.network ?? 0) + 1;
    } finally {
      inFlight--;
      waiters.shift()?.();
    }
  };
  const all: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    while (inFlight >= concurrency) await new Promise<void>((r) => waiters.push(r));
    inFlight++;
    all.push(one(i));
  }
  await Promise.all(all);
  return { latencies, statuses, ids, seconds: (performance.now() - started) / 1000 };
}

/** Pipeline jobs waiting, read from the API's Prometheus endpoint. */
async function queueSize(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^deskmind_pipeline_queue_size (\S+)$/m.exec(text);
  return m ? Number(m[1]) : -1;
}

/** True when every given ticket has a decision record. */
async function allDecided(url: string, apiKey: string, ids: string[]): Promise<boolean> {
  for (const id of ids) {
    const res = await fetch(`${url}/api/v1/tickets/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await res.json()) as { decisions?: unknown[] };
    if (!body.decisions?.length) return false;
  }
  return true;
}

/** Waits until the queue is empty and the last tickets are decided (bounded by `timeoutSeconds`). */
async function drain(url: string, apiKey: string, ids: string[], timeoutSeconds: number): Promise<void> {
  const until = Date.now() + timeoutSeconds * 1000;
  const last = ids.slice(-20);
  while (Date.now() < until) {
    if ((await queueSize(url)) === 0 && (await allDecided(url, apiKey, last))) return;
    await sleep(250);
  }
}

/**
 * Per-ticket facts from the database: when each ticket was created and when its first pipeline run ended
 * (`pipeline.completed` / `pipeline.failed`), and how many runs ended for it.
 */
export async function decisionFacts(
  database: Database,
  workspaceId: string,
): Promise<{ id: string; createdMs: number; decidedMs: number | null; runs: number }[]> {
  const { rows } = await database.executeSql(
    `select t.id, extract(epoch from t.created_at) * 1000 as created_ms,
            extract(epoch from min(e.created_at)) * 1000 as decided_ms, count(e.id) as runs
       from tickets t
       left join events e on e.ticket_id = t.id and e.type in ('pipeline.completed', 'pipeline.failed')
      where t.workspace_id = $1
      group by t.id, t.created_at`,
    [workspaceId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    createdMs: Number(r.created_ms),
    decidedMs: r.decided_ms === null ? null : Number(r.decided_ms),
    runs: Number(r.runs),
  }));
}

/** Runs one scenario end to end: seed, start the processes, warm up, send the load, drain, measure, clean up. */
export async function runScenario(scenario: LoadScenario, opts: LoadOptions): Promise<LoadResult> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const target = await prepareTarget(scenario, opts);
  const procs: { name: string; proc: DeskmindProcess }[] = [];
  try {
    log(`${scenario.name}: seeding`);
    const { workspaceId, apiKey } = await seed(target);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...target.env,
      DESKMIND_LOG_LEVEL: 'warn',
      DESKMIND_PORT: String(port),
      DESKMIND_WORKER_CONCURRENCY: String(opts.workerConcurrency),
      DESKMIND_RATE_LIMIT_PER_MINUTE: '0',
    };
    if (scenario.mode === 'embedded') {
      procs.push({ name: 'serve', proc: startDeskmind(['serve'], env) });
    } else {
      procs.push({ name: 'api', proc: startDeskmind(['serve', '--no-worker'], env) });
      for (let i = 0; i < scenario.workers; i++)
        procs.push({ name: `worker${i + 1}`, proc: startDeskmind(['worker'], env) });
    }
    await waitReady(url, procs[0]!.proc);
    // Warm up at the offered rate for about two seconds (connections, compiled code, prepared statements,
    // batch sizes as under load), then let the queue drain: the measured phase starts in a steady state.
    const warmCount = Math.max(40, Math.min(400, Math.round(opts.rate * 2)));
    log(`${scenario.name}: warming up (${warmCount} tickets at ${opts.rate}/s)`);
    const warm = await sendTickets(url, apiKey, warmCount, opts.rate, opts.concurrency, 1_000_000);
    await drain(url, apiKey, warm.ids, 60);

    log(`${scenario.name}: ${opts.tickets} tickets at ${opts.rate}/s`);
    const cpuBefore = procs.map(({ proc }) => cpuTimeMs(proc.pid));
    const load = await sendTickets(url, apiKey, opts.tickets, opts.rate, opts.concurrency);
    log(`${scenario.name}: sent in ${load.seconds.toFixed(1)} s, draining`);
    await drain(url, apiKey, load.ids, opts.drainTimeoutSeconds);
    const peak: Record<string, number | null> = {};
    const cpu: Record<string, number | null> = {};
    for (const [i, { name, proc }] of procs.entries()) {
      const rss = peakRss(proc.pid);
      peak[name] = rss === null ? null : Math.round(rss / 2 ** 20);
      const [before, after] = [cpuBefore[i], cpuTimeMs(proc.pid)];
      cpu[name] =
        before == null || after == null || !load.ids.length ? null : round((after - before) / load.ids.length);
    }
    for (const { proc } of procs.reverse()) await proc.stop();
    procs.length = 0;

    const database = await target.open();
    let facts: Awaited<ReturnType<typeof decisionFacts>>;
    try {
      facts = await decisionFacts(database, workspaceId);
    } finally {
      await database.close();
    }
    const measured = new Set(load.ids);
    const mine = facts.filter((f) => measured.has(f.id));
    const decided = mine.filter((f) => f.decidedMs !== null);
    const firstIngest = Math.min(...mine.map((f) => f.createdMs));
    const lastDecision = Math.max(...decided.map((f) => f.decidedMs!));
    const accepted = load.ids.length;
    return {
      scenario: scenario.name,
      mode: scenario.mode,
      apiProcesses: 1,
      workerProcesses: scenario.mode === 'embedded' ? 1 : scenario.workers,
      ticketsSent: opts.tickets,
      accepted,
      rejected: Object.fromEntries(Object.entries(load.statuses).filter(([s]) => s !== '201')),
      offeredRate: opts.rate,
      ingestRate: round(accepted / load.seconds),
      sustainedTicketsPerSecond: decided.length ? round(decided.length / ((lastDecision - firstIngest) / 1000)) : 0,
      decided: decided.length,
      undecided: accepted - decided.length,
      ingestLatencyMs: summary(load.latencies),
      decisionLatencyMs: summary(decided.map((f) => f.decidedMs! - f.createdMs)),
      peakRssMb: peak,
      cpuMsPerTicket: cpu,
      seconds: round((performance.now() - started) / 1000),
    };
  } finally {
    for (const { proc } of procs) await proc.kill().catch(() => {});
    await target.cleanup().catch(() => {});
  }
}

/** The scenarios to run: embedded always; server with 1 and 2 workers when a PostgreSQL server is given. */
export function defaultScenarios(databaseUrl: string | undefined): LoadScenario[] {
  const list: LoadScenario[] = [{ name: 'embedded (PGlite), 1 process', mode: 'embedded', workers: 1 }];
  if (databaseUrl) {
    list.push({ name: 'server (PostgreSQL), 1 API + 1 worker', mode: 'server', workers: 1 });
    list.push({ name: 'server (PostgreSQL), 1 API + 2 workers', mode: 'server', workers: 2 });
  }
  return list;
}

/**
 * Runs the scenarios one after another and returns the record (with the machine's load when it started).
 * With `paced`, each scenario runs again offered half the rate it sustained (for at most 30 s of load):
 * the latencies of a desk that keeps up, rather than of a queue that grows.
 */
export async function runLoadBenchmark(
  opts: LoadOptions & { paced?: boolean },
  scenarios = defaultScenarios(opts.databaseUrl),
) {
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  const results: LoadResult[] = [];
  for (const s of scenarios) {
    const full = await runScenario(s, opts);
    results.push(full);
    if (!opts.paced) continue;
    const rate = Math.max(1, Math.floor(full.sustainedTicketsPerSecond / 2));
    const paced = await runScenario(s, { ...opts, rate, tickets: Math.min(opts.tickets, rate * 30) });
    results.push({ ...paced, scenario: `${s.name}, at half capacity` });
  }
  return {
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100),
    options: {
      tickets: opts.tickets,
      rate: opts.rate,
      concurrency: opts.concurrency,
      workerConcurrency: opts.workerConcurrency,
    },
    results,
  };
}

/** The results as a small table. */
export function formatLoad(record: Awaited<ReturnType<typeof runLoadBenchmark>>): string {
  const lines = [
    `Load: ${record.options.tickets} tickets offered at ${record.options.rate}/s (≤ ${record.options.concurrency} ` +
      `in flight); load average before ${record.loadAverageBefore.join(' ')}`,
    'scenario                                                 offered/s  accepted  ingest/s  decided/s  ingest ' +
      'p50/p99 ms   decision p50/p99 ms   peak RSS MB   CPU ms/ticket',
  ];
  for (const r of record.results) {
    lines.push(
      `${r.scenario.padEnd(57)}${String(r.offeredRate).padStart(10)}${String(r.accepted).padStart(10)}  ` +
        `${String(r.ingestRate).padStart(8)}  ${String(r.sustainedTicketsPerSecond).padStart(9)}  ` +
        `${`${r.ingestLatencyMs.p50}/${r.ingestLatencyMs.p99}`.padStart(17)}   ` +
        `${`${r.decisionLatencyMs.p50}/${r.decisionLatencyMs.p99}`.padStart(19)}   ` +
        `${Object.values(r.peakRssMb).join('+').padEnd(13)} ${Object.values(r.cpuMsPerTicket).join('+')}` +
        (r.undecided ? `  (${r.undecided} undecided)` : ''),
    );
  }
  return lines.join('\n');
}
