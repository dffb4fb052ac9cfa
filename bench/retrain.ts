/**
 * Training and retraining at scale (issue 20): `labels` human-labelled tickets (bench/synthetic.ts: two tickets
 * in five carry a person's label, ~50 intents of uneven size, one customer message each) on the embedded
 * database (a PGlite data folder, in this process) and on the PostgreSQL server when one is configured
 * (DESKMIND_TEST_DATABASE_URL). Times, with this process's peak RSS:
 * - `train`: what `deskmind train --tickets` does (gatherTrainingExamples, then trainWorkspaceIntents: a held-out
 *   check, the model, its calibration), on the sample of the labelled tickets (src/learning/label-sample.ts);
 * - `retrainStored`: the background retrain (`Deskmind.retrain`: the job's code, training in a worker thread) of
 *   the stored model;
 * - `retrainOfModelHoldingAll`: the retrain's sampling and training (in a worker thread) of a live model made to
 *   hold every label (each labelled ticket not in the sample learned online), as a model trained before sampling
 *   existed would; such a model is too large to store (`modelMegabytes`), so it stays in memory.
 * Run: `npm run bench -- retrain` (`npx tsx bench/retrain.ts [labels…] [server-only|embedded-only]`, default
 * 100000). Records bench/results/retrain.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Deskmind } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { retrain as retrainWorkspace } from '../src/jobs/retrain.js';
import { gatherTrainingExamples, labelledTickets, trainWorkspaceIntents } from '../src/learning/training.js';
import { systemActor } from '../src/store/ctx.js';
import { sampleNewest } from '../src/learning/label-sample.js';
import { heldExamples } from '../src/learning/retrain-guard.js';
import { retrainInWorker } from '../src/learning/retrain-thread.js';
import { openPglite, type Database } from '../src/store/db.js';
import { freshServerDatabase } from './import.js';
import { machine, writeResult } from './record.js';
import { generateHistory } from './synthetic.js';

/** Above this many labels, the model holding every label is not built. */
const HOLD_ALL_MAX = 200_000;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 0);
const rssMb = () => round(process.memoryUsage().rss / 2 ** 20, 0);

async function timed<T>(
  label: string,
  fn: () => Promise<T>,
): Promise<{ value: T; seconds: number; peakRssMb: number }> {
  const t0 = performance.now();
  const value = await fn();
  const seconds = round((performance.now() - t0) / 1000);
  console.error(`retrain bench: ${label} ${seconds} s, peak RSS ${peakRssMb()} MB`);
  return { value, seconds, peakRssMb: peakRssMb() };
}

async function benchOne(database: Database, labels: number) {
  await database.migrate();
  const desk = await Deskmind.open({ config: loadConfig({ logLevel: 'silent' }), database, worker: false });
  try {
    const { workspace } = await desk.createWorkspace('Retrain bench');
    const ctx = desk.ctx(workspace.id, systemActor);
    const generated = await timed('generate', () =>
      generateHistory(database.executeSql, {
        workspaceId: workspace.id,
        tickets: Math.round(labels / 0.4),
        messages: true,
      }),
    );
    const rssBefore = rssMb();
    const train = await timed('train', async () => {
      const { examples, counts, starter, sample } = await gatherTrainingExamples(ctx, { tickets: true, starter: true });
      return trainWorkspaceIntents(desk.intentModels, workspace.id, examples, counts, starter, sample);
    });
    // The full background retrain of the stored model (the trained sample), through the job's code.
    const stored = await timed('retrain the stored model', () => retrainWorkspace(desk, workspace.id));
    // A live model that holds every label (the trained sample, then each other labelled ticket learned online, as
    // a model trained before sampling existed or one that learned them one by one would hold), kept in memory: its
    // retrain (in a worker thread, as the job runs it) samples it back. Such a model is too large to store.
    const figures = {
      labels,
      tickets: Math.round(labels / 0.4),
      generateSeconds: generated.seconds,
      rssBeforeTrainingMb: rssBefore,
      train: {
        seconds: train.seconds,
        peakRssMb: train.peakRssMb,
        examples: train.value.examples,
        sample: train.value.sample,
      },
      retrainStored: { seconds: stored.seconds, peakRssMb: stored.peakRssMb, outcome: stored.value },
    };
    // (a million labels learned online would take hours and gigabytes: not measured)
    if (labels > HOLD_ALL_MAX) return figures;
    const live = (await desk.intentModels.get(workspace.id))!.model;
    const learnt = await timed('learn every other label online', async () => {
      const seen = new Set(live.core.texts);
      const rest = (await labelledTickets(ctx, labels * 2)).reverse().filter((e) => !seen.has(e.text));
      for (const e of rest) live.update({ text: e.text, label: e.label });
      return rest.length;
    });
    const heldBytes = live.toBuffer().byteLength;
    const retrain = await timed('retrain the model holding every label', async () => {
      const { examples, sample } = sampleNewest(heldExamples(live));
      const r = await retrainInWorker(examples, []);
      return { status: r.status, examples: r.examples, trainSeconds: round(r.seconds), sample };
    });
    return {
      ...figures,
      onlineUpdates: {
        labels: learnt.value,
        seconds: learnt.seconds,
        modelHolds: live.size,
        modelMegabytes: round(heldBytes / 2 ** 20),
      },
      retrainOfModelHoldingAll: { seconds: retrain.seconds, peakRssMb: retrain.peakRssMb, ...retrain.value },
    };
  } finally {
    await desk.close();
  }
}

/** One backend's runs at each size, in this process. */
async function runHere(kind: 'embedded' | 'server', labelCounts: number[]) {
  const config = loadConfig();
  const out = [];
  for (const labels of labelCounts) {
    if (kind === 'embedded') {
      const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-retrain-'));
      try {
        out.push(await benchOne(await openPglite(dir), labels));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else if (config.testDatabaseUrl) {
      const { database, drop } = await freshServerDatabase(config.testDatabaseUrl, 'retrain');
      try {
        out.push(await benchOne(database, labels));
      } finally {
        await drop();
      }
    }
  }
  return out;
}

/** {@link runHere} in a child process of its own, so that its peak RSS is its own. */
function runInChild(kind: 'embedded' | 'server', labelCounts: number[]): unknown[] {
  const stdout = execFileSync('npx', ['tsx', 'bench/retrain.ts', '--child', kind, ...labelCounts.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(stdout.toString());
}

export async function benchRetrain(args: string[] = []) {
  const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const labelCounts = sizes.length ? sizes : [100_000];
  const load = loadavg().map((l) => round(l, 2));
  const embedded = args.includes('server-only') ? [] : runInChild('embedded', labelCounts);
  const server =
    args.includes('embedded-only') || !loadConfig().testDatabaseUrl ? [] : runInChild('server', labelCounts);
  const record = {
    benchmark: 'retrain',
    description:
      'Synthetic labelled tickets (bench/synthetic.ts, generated in SQL, one customer message each). train: ' +
      'gatherTrainingExamples + trainWorkspaceIntents (deskmind train --tickets) on the stratified sample of the ' +
      'labelled tickets; retrainStored: Deskmind.retrain (worker thread) of the stored model; ' +
      'retrainOfModelHoldingAll: sampleNewest + retrainInWorker of a live model made to hold every label (online ' +
      'updates). Seconds are wall time in one process; peakRssMb is the process peak so far ' +
      '(getrusage maxrss of a process per database, worker threads included; on embedded it includes PGlite ' +
      'and the generated history).',
    machine: machine(),
    loadAverageAtStart: load,
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
    embedded,
    server,
  };
  writeResult('bench/results/retrain.json', record);
  return record;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const sizes = args.slice(2).map(Number);
    console.log(JSON.stringify(await runHere(args[1] === 'server' ? 'server' : 'embedded', sizes)));
  } else await benchRetrain(args);
}
