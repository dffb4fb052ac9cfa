/**
 * The outbox: what fan-out adds to a ticket's transaction, and how fast a backlog drains to a webhook
 * endpoint that was down (in order, signed) — on in-memory PGlite, to a local HTTP server.
 * Run alone with `npx tsx bench/outbox.ts`, or as part of `npm run bench`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deskmind } from '../src/app.js';
import { createEndpoint } from '../src/connectors/webhooks.js';
import { loadConfig } from '../src/config.js';
import { openPglite } from '../src/store/db.js';
import { machine, writeResult } from './record.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TICKETS = 300;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

async function createTickets(desk: Deskmind, ws: string, n: number, tag: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await desk.createTicket(
      ws,
      { type: 'system', id: null },
      {
        subject: `Bench ${tag} ${i}`,
        message: { text: `Message ${i}`, visibility: 'public', attachments: [] },
        customer: { email: `c${i}@bench.example` },
        channel: 'api',
        tags: [],
      },
    );
    times.push(performance.now() - started);
  }
  return times;
}

export async function benchOutbox(): Promise<object> {
  let down = true;
  let received = 0;
  let lastSeq = 0;
  let outOfOrder = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (down) return res.writeHead(503).end();
      const seq = Number(req.headers['x-deskmind-sequence']);
      if (seq <= lastSeq) outOfOrder++;
      lastSeq = seq;
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const database = await openPglite(undefined);
  await database.migrate();
  // The webhook receiver is on loopback, which the outbound URL guard refuses unless allowed.
  const desk = await Deskmind.open({
    config: loadConfig({ logLevel: 'silent', outboundAllow: ['127.0.0.1'] }),
    database,
    worker: false,
  });
  try {
    const { workspace } = await desk.createWorkspace('bench-outbox');
    const ws = workspace.id;
    await createTickets(desk, ws, 20, 'warm-up');
    const without = await createTickets(desk, ws, TICKETS, 'no-endpoint');
    await desk.tx(ws, { type: 'system', id: null }, (ctx) =>
      createEndpoint(ctx, { kind: 'webhook', url, enabled: true }, desk.outbound),
    );
    const withHook = await createTickets(desk, ws, TICKETS, 'endpoint');
    await desk.deliverOutbox(); // the endpoint is down: the head fails, the rest wait
    down = false;
    await database.executeSql('update outbox set next_attempt_at = now()');
    const { rows } = await database.executeSql("select count(*)::int as n from outbox where status = 'pending'");
    const backlog = Number(rows[0]!.n);
    const started = performance.now();
    while (received < backlog) {
      const c = await desk.deliverOutbox();
      if (c.delivered + c.retry + c.dead === 0) break;
    }
    const drainMs = performance.now() - started;
    const record = {
      benchmark: 'outbox fan-out and backlog drain',
      measuredOn: `${machine()}, in-memory PGlite, local HTTP endpoint answering 204`,
      tickets: TICKETS,
      createTicketMs: {
        withoutEndpoint: { p50: +median(without).toFixed(2), p95: +p95(without).toFixed(2) },
        withOneEndpoint: { p50: +median(withHook).toFixed(2), p95: +p95(withHook).toFixed(2) },
      },
      backlogDeliveries: backlog,
      delivered: received,
      deliveredOutOfOrder: outOfOrder,
      drainSeconds: +(drainMs / 1000).toFixed(2),
      deliveriesPerSecond: Math.round(received / (drainMs / 1000)),
    };
    writeResult(resolve(here, 'results', 'outbox.json'), record);
    return record;
  } finally {
    await desk.close();
    server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  console.log(JSON.stringify(await benchOutbox(), null, 2));
}
