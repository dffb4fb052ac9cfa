/**
 * Bulk import of a migration's history: `n` synthetic tickets (a third resolved with an agent's reply and an
 * intent label, customers shared by about twenty tickets each) as JSONL through `importText`, into a fresh
 * embedded database (in this process) and a fresh database on the PostgreSQL server when one is configured
 * (DESKMIND_TEST_DATABASE_URL). Records tickets/s, node and server CPU per ticket in bench/results/import.json.
 * Run: `npm run bench -- import` (`npx tsx bench/import.ts [tickets…] [--baseline DIR]`, default 20000; DIR a
 * checkout of other code to compare with, e.g. `git worktree add --detach /tmp/base main` with node_modules linked).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Deskmind } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { importText } from '../src/ingest/import.js';
import { openPglite, openPostgres, type Database } from '../src/store/db.js';
import { nodeCpuMs, serverCpu, serverCpuBetween } from './cpu.js';
import { machine, writeResult } from './record.js';

/** The JSONL of `n` tickets with history. */
export function syntheticImport(n: number, prefix = 'imp'): string {
  const lines: string[] = [];
  const start = Date.UTC(2025, 0, 1);
  for (let i = 0; i < n; i++) {
    const at = start + i * 30_000;
    const resolved = i % 3 === 0;
    lines.push(
      JSON.stringify({
        externalId: `${prefix}-${i}`,
        subject: `Order ${i}: question about ${['invoices', 'login', 'exports', 'refunds'][i % 4]}`,
        body: `Hello, I have a problem with order ${i}. It started this morning and it still fails. Can you help?`,
        customerEmail: `customer${i % Math.max(1, Math.round(n / 20))}@example.com`,
        createdAt: new Date(at).toISOString(),
        tags: i % 5 === 0 ? 'vip' : undefined,
        ...(resolved
          ? {
              status: 'resolved',
              intent: ['billing', 'login', 'export', 'refund'][i % 4],
              messages: [
                {
                  author: 'agent',
                  text: 'Thanks, this is fixed now.',
                  createdAt: new Date(at + 900_000).toISOString(),
                },
              ],
            }
          : {}),
      }),
    );
  }
  return lines.join('\n');
}

export async function freshServerDatabase(
  url: string,
  label = 'import',
): Promise<{ database: Database; drop: () => Promise<void> }> {
  const name = `deskmind_bench_${label}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = openPostgres(u.toString(), 4);
  return {
    database,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** The bytes of the files under `dir`. */
export function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).reduce(
    (n, e) => (e.isFile() ? n + statSync(path.join(e.parentPath, e.name)).size : n),
    0,
  );
}

/** Imports `text` into a fresh workspace of `database`; the figures of the run. */
export async function timeImport(database: Database, text: string, n: number) {
  await database.migrate();
  const desk = await Deskmind.open({ config: loadConfig({ logLevel: 'silent' }), database, worker: false });
  try {
    const { workspace } = await desk.createWorkspace('Import bench');
    const server0 = database.kind === 'postgres' ? await serverCpu(database.executeSql) : null;
    const cpu0 = nodeCpuMs();
    const t0 = performance.now();
    const summary = await importText(desk, workspace.id, text, { kind: 'tickets', format: 'jsonl' });
    const seconds = (performance.now() - t0) / 1000;
    const nodeMs = nodeCpuMs() - cpu0;
    const server1 = database.kind === 'postgres' ? await serverCpu(database.executeSql) : null;
    const serverMs = serverCpuBetween(server0, server1);
    if (summary.created !== n)
      throw new Error(
        `import bench: ${summary.created} of ${n} created (${JSON.stringify(summary.rejections.slice(0, 3))})`,
      );
    return {
      tickets: n,
      seconds: Math.round(seconds * 100) / 100,
      ticketsPerSecond: Math.round(n / seconds),
      /** What one busy core would do: tickets per second of this process's CPU (and the server's, when it has its own).
       */
      ticketsPerCpuSecond: Math.round(n / ((nodeMs + (serverMs ?? 0)) / 1000)),
      nodeCpuMsPerTicket: Math.round((nodeMs / n) * 1000) / 1000,
      serverCpuMsPerTicket: serverMs !== null ? Math.round((serverMs / n) * 1000) / 1000 : null,
    };
  } finally {
    await desk.close();
  }
}

/** One import of `n` tickets into each database (the server when configured) with this code. */
async function importBoth(n: number) {
  const config = loadConfig();
  const text = syntheticImport(n);
  const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-import-'));
  let embedded: Awaited<ReturnType<typeof timeImport>> & { bytesOnDiskPerTicket: number };
  try {
    embedded = {
      ...(await timeImport(await openPglite(dir), text, n)),
      bytesOnDiskPerTicket: Math.round(folderBytes(dir) / n),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.error(`import: ${n} embedded ${embedded.ticketsPerSecond} tickets/s`);
  let server = null;
  if (config.testDatabaseUrl) {
    const { database, drop } = await freshServerDatabase(config.testDatabaseUrl);
    try {
      server = await timeImport(database, text, n);
      console.error(`import: ${n} server ${server.ticketsPerSecond} tickets/s`);
    } finally {
      await drop();
    }
  }
  return { embedded, server };
}

/**
 * The same import with the code of another checkout (`dir`, e.g. a `git worktree` of main with node_modules),
 * in a child process: its own bench/import.ts, whose record is read back.
 */
function importWithCode(dir: string, n: number): unknown {
  execFileSync('npx', ['tsx', 'bench/import.ts', String(n)], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const record = JSON.parse(readFileSync(path.join(dir, 'bench/results/import.json'), 'utf8'));
  // Its record: one run's figures (older code) or, as this file writes it, each size's `current`.
  const { embedded, server } = record.runs?.find((r: { tickets: number }) => r.tickets === n)?.current ?? record;
  return { embedded, server };
}

const round2 = (l: number) => Math.round(l * 100) / 100;

/**
 * Imports `sizes` tickets with this code and, given `baseline` (a checkout of the code to compare with), with
 * that code too, one after the other in the same run. Records bench/results/import.json.
 */
export async function benchImport(sizes: number[] = [20_000], baseline?: string) {
  const loadAtStart = loadavg().map(round2);
  const runs = [];
  for (const n of sizes) {
    const before = baseline ? importWithCode(baseline, n) : null;
    runs.push({ tickets: n, current: await importBoth(n), baseline: before });
  }
  const commit = (cwd: string) => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd }).toString().trim();
  const record = {
    benchmark: 'import',
    description:
      `tickets as JSONL (a third resolved with an agent reply and an intent, customers shared by ~20 tickets), ` +
      `chunks of 1000, through importText in one process; embedded: PGlite on a data folder in the same process; ` +
      `server: PostgreSQL 15 on this machine (pool of 4). ticketsPerSecond is wall time; ticketsPerCpuSecond counts ` +
      `this process's CPU and the server backends' (from /proc): what one busy core does, whatever else runs. ` +
      `baseline: the same import with the code of ${baseline ? `commit ${commit(baseline)}` : 'none'} (its own ` +
      `bench/import.ts in a child process, run just before).`,
    machine: machine(),
    code: commit(process.cwd()),
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg().map(round2),
    runs,
  };
  writeResult('bench/results/import.json', record);
  return record;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--baseline');
  const baseline = at >= 0 ? args[at + 1] : undefined;
  const sizes = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--baseline').map(Number);
  await benchImport(sizes.length ? sizes : [20_000], baseline);
}
