/**
 * Scaled mode: two API processes and two worker processes of the built CLI on one PostgreSQL database.
 * Tickets sent to either API are decided once; a model retrained by another process is used by every
 * process at once (no stale in-process cache).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { loadConfig } from '../src/config.js';
import { freePort, runDeskmind, startDeskmind, waitReady, type DeskmindProcess } from '../src/ops/processes.js';
import { NO_DEADLINE } from './helpers-wait.js';

const config = loadConfig({ logLevel: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!config.testDatabaseUrl)('scaled mode: 2 API processes + 2 workers on PostgreSQL', () => {
  const procs: DeskmindProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const p of procs) await p.kill();
    for (const c of cleanups.reverse()) await c();
  });

  it('shares the work and refreshes models across processes', async () => {
    const name = `deskmind_scaled_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: config.testDatabaseUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: config.testDatabaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    });
    const dbUrl = new URL(config.testDatabaseUrl!);
    dbUrl.pathname = `/${name}`;
    const env = { DATABASE_URL: dbUrl.toString(), DESKMIND_LOG_LEVEL: 'warn', DESKMIND_WORKER_CONCURRENCY: '2' };
    const { apiKey, workspaceId } = JSON.parse(
      await runDeskmind(['create-workspace', '--name', 'Scaled', '--json'], env),
    ) as { apiKey: string; workspaceId: string };

    // Four processes start at once (migrations run under an advisory lock).
    const ports = [await freePort(), await freePort()];
    for (const port of ports)
      procs.push(startDeskmind(['serve', '--no-worker'], { ...env, DESKMIND_PORT: String(port) }));
    procs.push(startDeskmind(['worker'], env), startDeskmind(['worker'], env));
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    // No deadlines in this test: its timeout ends a hang, and then every process's last log lines are printed.
    onTestFailed(() => {
      for (const p of procs) console.error(`--- pid ${p.child.pid}:\n${p.tail()}`);
    });
    await Promise.all(urls.map((u, i) => waitReady(u, procs[i], NO_DEADLINE)));
    const call = async (url: string, method: string, p: string, body?: unknown) => {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as any };
    };

    // 40 tickets, alternating between the two APIs, 8 at a time.
    const ids: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const created = await Promise.all(
        Array.from({ length: 8 }, (_, j) =>
          call(urls[(batch * 8 + j) % 2]!, 'POST', '/api/v1/tickets', {
            subject: `Refund ${batch}-${j}`,
            message: { text: 'I was charged twice, please refund the duplicate payment.' },
            customer: { email: `s${j}@scaled.example` },
          }),
        ),
      );
      for (const c of created) {
        // On failure: the problem body and every process's last log lines (their stderr, kept by startDeskmind).
        expect(c.status, `${JSON.stringify(c.body)}\n${procs.map((p) => p.tail()).join('\n---\n')}`).toBe(201);
        ids.push(c.body.ticket.id);
      }
    }
    const c = new pg.Client({ connectionString: dbUrl.toString() });
    await c.connect();
    cleanups.push(() => c.end());
    for (;;) {
      const { rows } = await c.query(
        `select count(distinct ticket_id)::int n from events where type in ('pipeline.completed', ` +
          `'pipeline.failed') and ticket_id = any($1::uuid[])`,
        [ids],
      );
      if (rows[0].n === ids.length) break;
      await sleep(300); // polling the database for the decisions
    }
    const { rows: runs } = await c.query(
      `select ticket_id, count(*)::int n from events where type in ('pipeline.completed', 'pipeline.failed') and ` +
        `ticket_id = any($1::uuid[]) group by ticket_id`,
      [ids],
    );
    expect(runs.every((r) => r.n === 1)).toBe(true);
    // Either API reads what the other wrote.
    expect((await call(urls[1]!, 'GET', `/api/v1/tickets/${ids[0]}`)).body.decisions.length).toBeGreaterThan(0);

    // Both APIs use model version 1 (their caches are warm) …
    const versionOf = async (url: string) => {
      const r = await call(url, 'POST', `/api/v1/tickets/${ids[0]}/replay`);
      expect(r.status).toBe(200);
      return r.body.records.find((x: { stage: string }) => x.stage === 'understand').modelVersion as string;
    };
    expect(await versionOf(urls[0]!)).toBe('intent@1');
    expect(await versionOf(urls[1]!)).toBe('intent@1');
    // … until another process stores version 2: every process uses it on its next prediction.
    const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-scaled-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'labels.csv');
    writeFileSync(
      file,
      'text,label\n' +
        Array.from({ length: 12 }, (_, i) => `"my invoice number ${i} shows the wrong VAT",invoice\n`).join(''),
    );
    await runDeskmind(['train', 'intents', '--workspace', workspaceId, '--file', file, '--json'], env);
    expect(await versionOf(urls[0]!)).toBe('intent@2');
    expect(await versionOf(urls[1]!)).toBe('intent@2');
    const late = await call(urls[0]!, 'POST', '/api/v1/tickets', {
      subject: 'Later',
      message: { text: 'Please send me a copy of the invoice.' },
      customer: { email: 'late@scaled.example' },
    });
    for (;;) {
      const { rows } = await c.query(
        `select model_version from decisions where ticket_id = $1 and stage = 'understand'`,
        [late.body.ticket.id],
      );
      if (rows.length) {
        expect(rows[0].model_version).toBe('intent@2'); // a worker, not the trainer, decided it
        break;
      }
      await sleep(300); // polling the database for its decision
    }
    for (const p of procs) expect(p.child.exitCode, p.tail()).toBeNull();
  });
});
