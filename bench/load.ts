/**
 * The load benchmark of `npm run bench` (also `deskmind bench load`): HTTP on loopback against child
 * processes of the built CLI, embedded and — with DESKMIND_TEST_DATABASE_URL or DATABASE_URL — on a
 * PostgreSQL server with 1 and 2 worker processes. Records bench/results/load.json with the machine's load.
 */
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { formatLoad, runLoadBenchmark } from '../src/ops/load.js';
import { machine, writeResult } from './record.js';

/** `tickets` and `rate` default to 2000 at 250/s (`npm run bench load [TICKETS] [RATE]`). */
export async function benchLoad(tickets = 2000, rate = 250) {
  const config = loadConfig();
  const databaseUrl = config.testDatabaseUrl ?? config.databaseUrl;
  const uptime = (() => {
    try {
      return execFileSync('uptime', { encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  })();
  const record = await runLoadBenchmark({
    tickets,
    rate,
    concurrency: 64,
    workerConcurrency: config.workerConcurrency,
    drainTimeoutSeconds: 300,
    paced: true,
    databaseUrl,
    log: (line) => console.error(`bench load: ${line}`),
  });
  const result = {
    benchmark: 'load',
    machine: machine(),
    measuredAt: new Date().toISOString(),
    uptimeBefore: uptime,
    note:
      'Open-loop POST /api/v1/tickets on loopback from the same machine; each scenario on a fresh database ' +
      'seeded with the demo workspace. sustainedTicketsPerSecond = decided tickets / (last decision − first ' +
      'ingest); the machine was shared with other jobs (see load averages).',
    ...record,
  };
  writeResult(new URL('./results/load.json', import.meta.url).pathname, result);
  console.error(formatLoad(record));
  return result;
}
