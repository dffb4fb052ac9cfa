/**
 * The insight endpoints, and the topics' background work, timed on a history already generated (by bench/scale.ts's
 * generator: `npx tsx bench/scale-existing.ts generate <tickets> <database>` writes one into a new database of the
 * PostgreSQL server at DESKMIND_TEST_DATABASE_URL and keeps it), so that a large size is generated once and timed
 * by two versions of the code back to back (the same database, the same machine, minutes apart).
 * Run: `npx tsx bench/scale-existing.ts time <database> <label> [result.json]`: 20 runs of each endpoint after a
 * warm-up (p50, p99, CPU), then, where the code has them, a join of 500 waiting tickets and a re-clustering on its
 * sample; with kept account health (0028), also its first read and 20 reads a minute apart with 50 tickets changed
 * before each. Appends `label`'s figures to the result file (default bench/results/scale-topics.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { Deskmind } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import * as health from '../src/insights/health.js';
import { accountHealth, HealthQuerySchema } from '../src/insights/health.js';
import * as topics from '../src/insights/topics.js';
import { TrendsQuerySchema, volumeTrends } from '../src/insights/trends.js';
import { openPostgres } from '../src/store/db.js';
import { machine, writeResult } from './record.js';
import { time } from './scale.js';
import { assignSyntheticTopics, generateHistory } from './synthetic.js';

const round = (x: number) => Math.round(x * 10) / 10;

function urlOf(name: string): string {
  const base = loadConfig().testDatabaseUrl;
  if (!base) throw new Error('DESKMIND_TEST_DATABASE_URL is not set');
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function generate(n: number, name: string) {
  const admin = new pg.Client({ connectionString: loadConfig().testDatabaseUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const database = openPostgres(urlOf(name), 4);
  await database.migrate();
  const desk = await Deskmind.open({ config: loadConfig({ logLevel: 'silent' }), database, worker: false });
  const { workspace } = await desk.createWorkspace('Scale bench');
  const t0 = performance.now();
  await generateHistory(database.executeSql, { workspaceId: workspace.id, tickets: n, days: 30, messages: true });
  const generateSeconds = round((performance.now() - t0) / 1000);
  // Twenty topics, each ticket in one, as bench/scale.ts assigns them.
  await assignSyntheticTopics(database.executeSql, workspace.id);
  console.error(
    `generated ${n} tickets in ${generateSeconds} s (${round((performance.now() - t0) / 1000)} s with topics)`,
  );
  await desk.close();
}

async function timeAll(name: string, label: string, result: string) {
  const database = openPostgres(urlOf(name), 4);
  await database.migrate();
  const desk = await Deskmind.open({ config: loadConfig({ logLevel: 'silent' }), database, worker: false });
  const load = loadavg().map(round);
  try {
    const ws = (await database.executeSql('select id from workspaces order by created_at limit 1')).rows[0]!
      .id as string;
    const ctx = desk.ctx(ws, { type: 'system', id: null });
    const n = Number((await database.executeSql('select count(*)::int n from tickets')).rows[0]!.n);
    const ops: [string, () => Promise<unknown>][] = [
      ['insights: trends (intent, daily)', () => volumeTrends(ctx, TrendsQuerySchema.parse({}))],
      [
        'insights: trends (topic, hourly)',
        () => volumeTrends(ctx, TrendsQuerySchema.parse({ by: 'topic', interval: 'hour' })),
      ],
      [
        'insights: trends (tier, daily, 90 days)',
        () => volumeTrends(ctx, TrendsQuerySchema.parse({ by: 'tier', days: 90 })),
      ],
      ['insights: health', () => accountHealth(ctx, HealthQuerySchema.parse({}))],
      ['insights: topics', () => topics.listTopics(ctx, {})],
    ];
    const operations: Record<string, unknown> = {};
    if ('refreshAccountHealth' in health) {
      // The first read after the migration (or after more than a day without one) computes every account.
      await database.executeSql('delete from insight_account_health_state where workspace_id = $1', [ws]);
      operations['insights: health, first read (every account computed)'] = await time(
        database,
        () => accountHealth(ctx, HealthQuerySchema.parse({})),
        1,
        false,
      );
      console.error(`${label} ${n}: first health read ${JSON.stringify(Object.values(operations)[0])}`);
    }
    for (const [op, fn] of ops) {
      operations[op] = await time(database, fn, 20);
      console.error(`${label} ${n}: ${op} ${JSON.stringify(operations[op])}`);
    }
    // Reads a minute apart with 50 tickets changed in between (at 1M tickets a month, ~23 tickets a minute cross each
    // window's edge): the work a read finds when the sweep or another read ran a minute before.
    {
      const at = Date.now();
      const runs: Awaited<ReturnType<typeof time>>[] = [];
      for (let i = 0; i <= 20; i++) {
        await database.executeSql(
          `update tickets set reopen_count = reopen_count + 1 where id in (select id from tickets
             where workspace_id = $1 and created_at >= now() - interval '1 day' * ($2::int + 1)
             order by created_at limit 50)`,
          [ws, i],
        );
        const later = { ...ctx, now: () => new Date(at + (i + 1) * 60_000) };
        const run = await time(database, () => accountHealth(later, HealthQuerySchema.parse({})), 1, false);
        if (i > 0) runs.push(run);
      }
      const ms = runs.map((x) => x.ms).sort((a, b) => a - b);
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const op = 'insights: health, a minute on and 50 tickets changed before each read';
      operations[op] = {
        ms: med(ms),
        p50Ms: ms[Math.ceil(0.5 * ms.length) - 1],
        p99Ms: ms[Math.ceil(0.99 * ms.length) - 1],
        nodeCpuMs: med(runs.map((x) => x.nodeCpuMs)),
        serverCpuMs: med(runs.map((x) => x.serverCpuMs ?? 0)),
      };
      console.error(`${label} ${n}: ${op} ${JSON.stringify(operations[op])}`);
    }
    if ('joinTopics' in topics && 'reclusterTopics' in topics) {
      // The generated topics stand for clusters of this embedder: each takes the vector of its newest ticket's text
      // (else, as topics of another embedder, the first join would drop them all and start over).
      const seeds = (
        await database.executeSql(
          `select distinct on (tt.topic_id) tt.topic_id, t.subject || E'\n' || coalesce(m.body_text, '') as text
           from ticket_topics tt join tickets t on t.id = tt.ticket_id
           left join lateral (
             select body_text from messages where ticket_id = t.id order by created_at limit 1
           ) m on true
           where tt.workspace_id = $1 order by tt.topic_id, tt.ticket_created_at desc`,
          [ws],
        )
      ).rows as { topic_id: string; text: string }[];
      const vectors = await desk.embedder.embed(seeds.map((x) => x.text));
      for (let i = 0; i < seeds.length; i++)
        await database.executeSql('update insight_topics set embedder = $1, centroid = $2 where id = $3', [
          desk.embedder.id,
          Array.from(vectors[i]!),
          seeds[i]!.topic_id,
        ]);
      // 500 tickets lose their topic (they wait again: migration 0027) and join back, with the built-in embedder.
      await database.executeSql(
        `delete from ticket_topics where ticket_id in (select id from tickets where workspace_id = $1
           order by created_at desc limit 500)`,
        [ws],
      );
      const rss0 = process.memoryUsage().rss;
      operations['topics: join 500 waiting tickets'] = {
        ...(await time(database, () => topics.joinTopics(ctx, desk.embedder, { limit: 500 }), 1, false)),
      };
      operations['topics: re-cluster (sample of 5,000)'] = {
        ...(await time(database, () => topics.reclusterTopics(ctx, desk.embedder), 1, false)),
        rssGrowthMb: Math.round((process.memoryUsage().rss - rss0) / 2 ** 20),
      };
      operations['topics: relabel'] = await time(database, () => topics.relabelTopics(ctx), 1, false);
      for (const op of Object.keys(operations).filter((k) => k.startsWith('topics:')))
        console.error(`${label} ${n}: ${op} ${JSON.stringify(operations[op])}`);
    }
    const previous = existsSync(result) ? (JSON.parse(readFileSync(result, 'utf8')) as { runs?: unknown[] }) : {};
    writeResult(result, {
      benchmark: 'scale-topics',
      description:
        'The insight endpoints on a synthetic history generated once (bench/synthetic.ts, 30 days, 20 topics), ' +
        'timed by two versions of the code back to back on the same PostgreSQL database (bench/scale-existing.ts): ' +
        'each endpoint 20 runs after a warm-up through its service in this process (p50, p99 of wall time; CPU ' +
        'medians: node, and the server backends from /proc); then one join of 500 waiting tickets, one ' +
        're-clustering on its bounded sample and one relabelling (built-in embedder).',
      machine: machine(),
      runs: [
        ...(previous.runs ?? []),
        {
          label,
          tickets: n,
          at: new Date().toISOString(),
          loadAverageAtStart: load,
          loadAverage: loadavg().map(round),
          operations,
        },
      ],
    });
  } finally {
    await desk.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, a, b, c] = process.argv.slice(2);
  if (cmd === 'generate') await generate(Number(a), b!);
  else if (cmd === 'time') await timeAll(a!, b!, c ?? 'bench/results/scale-topics.json');
  else
    throw new Error('usage: scale-existing.ts generate <tickets> <database> | time <database> <label> [result.json]');
}
