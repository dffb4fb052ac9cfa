/** Banking77 benchmark of the intent classifier (official split). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateIntentFiles } from '../src/nlp/eval.js';

import { loadavg } from 'node:os';
import { machine, writeResult } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Runs the intent evaluation on `${dataDir}/banking77/{train,test}.csv` (label column `category`),
 * writes `bench/results/intents-banking77.json` and returns the record; null when the data is absent.
 */
export async function benchIntents(dataDir: string): Promise<object | null> {
  const dir = join(dataDir, 'banking77');
  const train = join(dir, 'train.csv');
  const test = join(dir, 'test.csv');
  if (!existsSync(train) || !existsSync(test)) {
    console.warn(`benchIntents: ${dir} has no train.csv/test.csv — skipping the Banking77 intent benchmark`);
    return null;
  }
  const loadBefore = loadavg()[0]!;
  const metrics = evaluateIntentFiles(train, test, { textColumn: 'text', labelColumn: 'category' });
  const record = {
    benchmark: 'intents-banking77',
    date: new Date().toISOString(),
    machine:
      `${machine()} (single-threaded run), ` +
      `1-min load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after (other processes inflate timings)`,
    note:
      'official Banking77 split; every threshold picked on a 15% stratified held-out slice of train (test never used for fitting); ' +
      'final model retrained on all of train (trainSeconds includes its own 10% calibration slice); ' +
      'latency = full predict() incl. explanation and multi-intent, per-text median of 3 timed runs after warm-up',
    metrics,
  };
  const out = resolve(here, 'results', 'intents-banking77.json');
  writeResult(out, record);
  return record;
}
