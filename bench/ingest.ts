/**
 * Ingest alone, embedded: `POST /api/v1/tickets` against `deskmind serve` (built CLI, worker off) on a fresh
 * PGlite data folder seeded with the demo workspace, with and without group commit, back to back.
 * Run: `npm run build && npx tsx bench/ingest.ts [tickets] [concurrency] [rounds]` (defaults 1000, 64, 3).
 * Records bench/results/ingest.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Deskmind } from '../src/app.js';
import { createLogger } from '../src/ops/logger.js';
import { childEnvironment, loadConfig } from '../src/config.js';
import { seedDemo } from '../src/demo/seed.js';
import { sendTickets } from '../src/ops/load.js';
import { freePort, peakRss, startDeskmind, waitReady } from '../src/ops/processes.js';
import { openPglite } from '../src/store/db.js';
import { machine, writeResult } from './record.js';

const [tickets = 1000, concurrency = 64, rounds = 3] = process.argv.slice(2).map(Number);
const WARM_UP = 200;

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function run(groupSize: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-ingest-'));
  try {
    const env = {
      DESKMIND_DATA_DIR: dir,
      DATABASE_URL: '',
      DESKMIND_LOG_LEVEL: 'warn',
      DESKMIND_WORKER: 'false',
      DESKMIND_RATE_LIMIT_PER_MINUTE: '0',
      DESKMIND_RATE_LIMIT_IP_PER_MINUTE: '0',
      DESKMIND_INGEST_GROUP_SIZE: String(groupSize),
    };
    // Seed the demo workspace (its accounts are the ones the load tickets name).
    const config = loadConfig({ logLevel: 'warn' }, childEnvironment(env));
    const seeded = await openPglite(dir);
    await seeded.migrate();
    const desk = await Deskmind.open({
      config,
      database: seeded,
      worker: false,
      logger: createLogger(config, 'stderr'),
    });
    const { apiKey } = await seedDemo(desk, { tickets: false }).finally(() => desk.close());

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = startDeskmind(['serve'], { ...env, DESKMIND_PORT: String(port) });
    try {
      await waitReady(url, server);
      await sendTickets(url, apiKey, WARM_UP, 1e6, concurrency, 0);
      const sent = await sendTickets(url, apiKey, tickets, 1e6, concurrency, WARM_UP);
      const rss = peakRss(server.pid);
      const rssMb = rss === null ? null : Math.round(rss / 2 ** 20);
      const lat = [...sent.latencies].sort((a, b) => a - b);
      await server.stop();
      // Every acknowledged ticket stored once, with its message and its queued pipeline job.
      const check = await openPglite(dir);
      const { rows } = await check.executeSql(
        `select (select count(*) from tickets)::int as tickets, (select count(*) from messages)::int as messages,
                (select count(*) from pgboss.job where name = 'ticket-pipeline')::int as jobs`,
      );
      await check.close();
      return {
        groupSize,
        tickets,
        concurrency,
        statuses: sent.statuses,
        ticketsPerSecond: Number((sent.ids.length / sent.seconds).toFixed(1)),
        latencyMs: { p50: Math.round(pct(lat, 50)), p99: Math.round(pct(lat, 99)), max: Math.round(lat.at(-1) ?? 0) },
        stored: rows[0],
        peakRssMb: rssMb,
      };
    } finally {
      await server.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const uptime = (() => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
const runs: ({ round: number } & Awaited<ReturnType<typeof run>>)[] = [];
for (let r = 0; r < rounds; r++) {
  // Alternate the order so that neither setting always runs on a warmer (or busier) machine.
  for (const groupSize of r % 2 === 0 ? [1, 64] : [64, 1]) {
    const result = await run(groupSize);
    console.error(
      `bench ingest: round ${r + 1}, group size ${groupSize}: ${result.ticketsPerSecond} tickets/s, p50 ` +
        `${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${JSON.stringify(result.statuses)}, ` +
        `stored ${JSON.stringify(result.stored)}`,
    );
    runs.push({ round: r + 1, ...result });
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = Object.fromEntries(
  [1, 64].map((g) => [
    `groupSize${g}`,
    {
      medianTicketsPerSecond: median(runs.filter((x) => x.groupSize === g).map((x) => x.ticketsPerSecond)),
      medianP99Ms: median(runs.filter((x) => x.groupSize === g).map((x) => x.latencyMs.p99)),
    },
  ]),
);
writeResult(new URL('./results/ingest.json', import.meta.url).pathname, {
  benchmark: 'ingest',
  machine: machine(),
  measuredAt: new Date().toISOString(),
  uptimeBefore: uptime,
  loadAverageAfter: loadavg(),
  note:
    `Closed-loop POST /api/v1/tickets (${concurrency} in flight) from this process to \`deskmind serve\` ` +
    `(embedded PGlite, worker off, rate limits off) on loopback; ${WARM_UP} warm-up tickets first; each run on ` +
    `a fresh data folder seeded with the demo workspace. DESKMIND_INGEST_GROUP_SIZE=1 writes each ticket alone ` +
    `(the path before group commit).`,
  summary,
  runs,
});
console.log(JSON.stringify(summary, null, 2));
