/**
 * Data at scale: synthetic histories of 10k and 100k tickets (1M on the server with `scale 1m`), generated in
 * SQL (bench/synthetic.ts), on the embedded database (a PGlite data folder, in this process) and on the
 * PostgreSQL server when one is configured (DESKMIND_TEST_DATABASE_URL). At each size it times every list,
 * search, detail, insight and import operation through the services (as the HTTP handlers call them), with
 * node's CPU and the server backends' CPU per operation, and records RSS and bytes on disk per ticket.
 * Run: `npm run bench -- scale` (or `npx tsx bench/scale.ts [sizes…]`, e.g. `10000 100000`; add `server-only`
 * or `embedded-only`; `insights-only` times the insights alone, before and after the rollups, into
 * bench/results/scale-insights.json). Records bench/results/scale.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Deskmind } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { TicketListQuerySchema } from '../src/domain/schemas.js';
import { accountHealth, HealthQuerySchema } from '../src/insights/health.js';
import { listTopics } from '../src/insights/topics.js';
import { healthFromScratch, topicsFromScratch, trendsFromScratch } from './insights-scratch.js';
import { TrendsQuerySchema, volumeTrends } from '../src/insights/trends.js';
import type { Ctx } from '../src/store/ctx.js';
import { importText } from '../src/ingest/import.js';
import { getTicketDetail } from '../src/tickets/get-ticket.js';
import { listTickets } from '../src/tickets/list-tickets.js';
import { labelledTicketExamples } from '../src/learning/training.js';
import { listQueue } from '../src/sla/queue.js';
import { openPglite, openPostgres, type Database } from '../src/store/db.js';
import { nodeCpuMs, serverCpu, serverCpuBetween } from './cpu.js';
import { folderBytes, syntheticImport } from './import.js';
import { machine, writeResult } from './record.js';
import { assignSyntheticTopics, generateHistory, SYNTHETIC_INTENTS } from './synthetic.js';

const RESULTS = { all: 'bench/results/scale.json', insights: 'bench/results/scale-insights.json' };

interface Timing {
  ms: number;
  /** With more than a few runs: the 50th and 99th percentile of wall time. */
  p50Ms?: number;
  p99Ms?: number;
  nodeCpuMs: number;
  serverCpuMs: number | null;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Times `fn` `runs` times (after one warm-up when `warm`), the median of each measure. */
export async function time(database: Database, fn: () => Promise<unknown>, runs: number, warm = true): Promise<Timing> {
  if (warm) await fn();
  const ms: number[] = [];
  const cpu: number[] = [];
  const server: (number | null)[] = [];
  for (let i = 0; i < runs; i++) {
    const s0 = database.kind === 'postgres' ? await serverCpu(database.executeSql) : null;
    const c0 = nodeCpuMs();
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
    cpu.push(nodeCpuMs() - c0);
    const s1 = database.kind === 'postgres' ? await serverCpu(database.executeSql) : null;
    server.push(serverCpuBetween(s0, s1));
  }
  const known = server.filter((x): x is number => x !== null);
  const sorted = [...ms].sort((a, b) => a - b);
  const pct = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
  return {
    ms: round(median(ms)),
    ...(runs >= 10 ? { p50Ms: pct(0.5), p99Ms: pct(0.99) } : {}),
    nodeCpuMs: round(median(cpu)),
    serverCpuMs: known.length ? round(median(known)) : null,
  };
}

export async function serverDatabase(
  url: string,
  name: string,
): Promise<{ database: Database; drop: () => Promise<void> }> {
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return { database: openPostgres(u.toString(), 4), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

async function runSize(kind: 'embedded' | 'server', n: number, serverUrl: string | undefined, insightsOnly: boolean) {
  const dir = kind === 'embedded' ? mkdtempSync(path.join(tmpdir(), 'deskmind-scale-')) : null;
  const server = kind === 'server' ? await serverDatabase(serverUrl!, `deskmind_bench_scale_${process.pid}`) : null;
  const database = dir ? await openPglite(dir) : server!.database;
  try {
    await database.migrate();
    const desk = await Deskmind.open({ config: loadConfig({ logLevel: 'silent' }), database, worker: false });
    try {
      const { workspace } = await desk.createWorkspace('Scale bench');
      const now = new Date();
      const t0 = performance.now();
      const ids = await generateHistory(database.executeSql, {
        workspaceId: workspace.id,
        tickets: n,
        days: 30,
        now,
        messages: true,
      });
      const generateSeconds = round((performance.now() - t0) / 1000);
      // Twenty topics, each ticket in one (the rollups' triggers apply each assignment).
      const t1 = performance.now();
      await assignSyntheticTopics(database.executeSql, workspace.id);
      const topicsSeconds = round((performance.now() - t1) / 1000);
      console.error(`scale: ${kind} ${n}: generated in ${generateSeconds} s, topics assigned in ${topicsSeconds} s`);
      const ctx: Ctx = desk.ctx(workspace.id, { type: 'system', id: null });
      const list = (q: Record<string, unknown>) => () => listTickets(ctx, TicketListQuerySchema.parse(q));
      const scratchRuns = n > 50_000 ? 3 : 5;
      const [middle] = (await listTickets(ctx, TicketListQuerySchema.parse({ intent: SYNTHETIC_INTENTS[5], limit: 1 })))
        .data;
      const ops: [string, () => Promise<unknown>, number][] = [
        ['list: newest', list({}), 5],
        ['list: by last update', list({ sort: 'updated' }), 5],
        ['list: by intent', list({ intent: SYNTHETIC_INTENTS[7] }), 5],
        ['list: by rare intent', list({ intent: SYNTHETIC_INTENTS[49] }), 5],
        ['list: open', list({ status: 'open' }), 5],
        ['list: by assignee', list({ assigneeId: ids.agentIds[3] }), 5],
        ['list: by team', list({ teamId: ids.teamIds[2] }), 5],
        ['list: by customer', list({ customerId: ids.customerIds[5] }), 5],
        ['list: by account', list({ accountId: ids.accountIds[1] }), 5],
        ['list: by tag', list({ tag: 'human_requested' }), 5],
        ['queue: all', () => listQueue(ctx, { view: 'all', limit: 50 }), 5],
        ['queue: unassigned', () => listQueue(ctx, { view: 'unassigned', limit: 50 }), 5],
        ['search: one word', list({ q: 'refund' }), 5],
        ['search: two words', list({ q: 'invoice crash' }), 5],
        ['detail', () => getTicketDetail(ctx, middle!.id), 5],
        // Before (every ticket of the window read into JavaScript: bench/insights-scratch.ts) and after (rollups).
        [
          'insights before: trends (intent, daily)',
          () => trendsFromScratch(ctx, TrendsQuerySchema.parse({})),
          scratchRuns,
        ],
        [
          'insights before: trends (topic, hourly)',
          () => trendsFromScratch(ctx, TrendsQuerySchema.parse({ by: 'topic', interval: 'hour' })),
          scratchRuns,
        ],
        ['insights before: health', () => healthFromScratch(ctx), scratchRuns],
        ['insights before: topics', () => topicsFromScratch(ctx), scratchRuns],
        ['insights: trends (intent, daily)', () => volumeTrends(ctx, TrendsQuerySchema.parse({})), 20],
        [
          'insights: trends (topic, hourly)',
          () => volumeTrends(ctx, TrendsQuerySchema.parse({ by: 'topic', interval: 'hour' })),
          20,
        ],
        [
          'insights: trends (tier, daily, 90 days)',
          () => volumeTrends(ctx, TrendsQuerySchema.parse({ by: 'tier', days: 90 })),
          20,
        ],
        ['insights: health', () => accountHealth(ctx, HealthQuerySchema.parse({})), 20],
        ['insights: topics', () => listTopics(ctx, {}), 20],
        ['retrain: labelled examples read (10k newest)', () => labelledTicketExamples(ctx, 10_000), 1],
      ];
      const operations: Record<string, Timing> = {};
      for (const [name, fn, runs] of ops) {
        if (insightsOnly && !name.startsWith('insights')) continue;
        operations[name] = await time(database, fn, runs, runs > 1);
        console.error(`scale: ${kind} ${n}: ${name} ${operations[name].ms} ms`);
      }
      let batch = 0;
      if (!insightsOnly)
        operations['import: 1000 tickets into the history'] = await time(
          database,
          () =>
            importText(desk, workspace.id, syntheticImport(1000, `scale-${batch++}`), {
              kind: 'tickets',
              format: 'jsonl',
            }),
          1,
          false,
        );
      const bytes = dir
        ? folderBytes(dir)
        : Number((await database.executeSql('select pg_database_size(current_database())::bigint as b')).rows[0]!.b);
      return {
        tickets: n,
        generateSeconds,
        topicsSeconds,
        operations,
        rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
        bytesOnDiskPerTicket: Math.round(bytes / n),
      };
    } finally {
      await desk.close();
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await server?.drop();
  }
}

export async function benchScale(args: string[] = []) {
  const config = loadConfig();
  const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const chosen = sizes.length ? sizes : [10_000, 100_000];
  const kinds: ('embedded' | 'server')[] = args.includes('server-only')
    ? ['server']
    : args.includes('embedded-only')
      ? ['embedded']
      : ['embedded', 'server'];
  const RESULT = args.includes('insights-only') ? RESULTS.insights : RESULTS.all;
  const results: Record<string, unknown[]> = { embedded: [], server: [] };
  const loadBefore = loadavg().map((l) => round(l, 2));
  for (const kind of kinds) {
    if (kind === 'server' && !config.testDatabaseUrl) continue;
    for (const n of chosen)
      results[kind]!.push({
        ...(await runSize(kind, n, config.testDatabaseUrl, args.includes('insights-only'))),
        loadAverage: loadavg().map((l) => round(l, 2)),
      });
  }
  // A run of one kind keeps the other kind's figures from the last run.
  const previous = existsSync(RESULT) ? (JSON.parse(readFileSync(RESULT, 'utf8')) as Record<string, unknown[]>) : {};
  for (const kind of ['embedded', 'server'] as const)
    if (!results[kind]!.length && previous[kind]) results[kind] = previous[kind];
  const record = {
    benchmark: 'scale',
    description:
      'Synthetic histories (bench/synthetic.ts: 30 days, one customer message per ticket, ~50 intents, most ' +
      'tickets resolved or closed) generated in SQL; every operation through its service in this process, median ' +
      'of 5 runs after a warm-up (insights, retrain read and import: one run). nodeCpuMs: this process (on ' +
      'embedded it includes PGlite); serverCpuMs: the PostgreSQL backends of the database, from /proc.',
    machine: machine(),
    loadAverageAtStart: loadBefore, // each size records its own load average at its end
    ...results,
  };
  writeResult(RESULT, record);
  return record;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchScale(process.argv.slice(2));
