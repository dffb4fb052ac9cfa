import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { formatLoad, runLoadBenchmark } from '../../ops/load.js';
import type { RegisterCommand } from './index.js';

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};

/** `deskmind bench load`: a bounded, self-stopping HTTP load on loopback, embedded and (with a server) scaled. */
export const registerBench: RegisterCommand = (program: Command) => {
  const bench = program.command('bench').description('Benchmarks of a running Deskmind');
  bench
    .command('load')
    .description(
      'Drive POST /api/v1/tickets on loopback with an open-loop load and measure tickets/s from ingest to decision, ' +
        'latency and peak memory: embedded (PGlite), and with --database-url (or DATABASE_URL) a PostgreSQL ' +
        'server with 1 and 2 worker processes. ' +
        'Each scenario uses a fresh data folder or database, seeded with the demo workspace, and cleans up after ' +
        'itself.',
    )
    .option('--tickets <n>', 'tickets sent in the measured phase', positive('--tickets'), 2000)
    .option('--rate <n>', 'offered tickets per second', positive('--rate'), 250)
    .option('--concurrency <n>', 'most requests in flight', positive('--concurrency'), 64)
    .option(
      '--worker-concurrency <n>',
      'pipeline loops per worker process (DESKMIND_WORKER_CONCURRENCY)',
      positive('--worker-concurrency'),
      2,
    )
    .option('--drain-timeout <seconds>', 'longest wait for the queue to drain', positive('--drain-timeout'), 300)
    .option(
      '--database-url <url>',
      'PostgreSQL server for the server scenarios (a scratch database is created and dropped)',
    )
    .option('--embedded-only', 'skip the server scenarios', false)
    .option('--no-paced', 'skip the second run of each scenario, offered half the rate it sustained')
    .option('--json', 'print one JSON object', false)
    .action(
      async (opts: {
        tickets: number;
        rate: number;
        concurrency: number;
        workerConcurrency: number;
        drainTimeout: number;
        databaseUrl?: string;
        embeddedOnly: boolean;
        paced: boolean;
        json: boolean;
      }) => {
        const databaseUrl = opts.embeddedOnly ? undefined : (opts.databaseUrl ?? loadConfig().databaseUrl);
        const record = await runLoadBenchmark({
          tickets: Math.round(opts.tickets),
          rate: opts.rate,
          concurrency: Math.round(opts.concurrency),
          workerConcurrency: Math.round(opts.workerConcurrency),
          drainTimeoutSeconds: opts.drainTimeout,
          databaseUrl,
          paced: opts.paced,
          log: (line) => console.error(`bench load: ${line}`),
        });
        console.log(opts.json ? JSON.stringify(record) : formatLoad(record));
      },
    );
};
