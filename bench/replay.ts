/** Banking77 learning curve: `deskmind replay` from 10 examples per intent over the rest of train. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayFiles } from '../src/learning/replay.js';

import { machine, writeResult } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));
const SEED_PER_INTENT = 10;
/** train.csv is sorted by intent: in file order the stream would be 77 runs of one intent each. */
const SHUFFLE_SEED = 13;
/** The target is at most 2% wrong answers: the tuner keeps the Wilson lower bound of success above 98%. */
const TARGET_SUCCESS = 0.985;
/** A new workspace starts conservative (the replay's default). */
const START_THRESHOLD = 0.97;

/**
 * Replays `${dataDir}/banking77/train.csv` (seed = the first 10 rows per intent, stream = the rest,
 * shuffled with a fixed seed because the file is sorted by intent) and scores on `test.csv` (label column `category`); writes
 * `bench/results/replay-banking77.json` and returns the record; null when the data is absent.
 */
export async function benchReplay(dataDir: string): Promise<object | null> {
  const dir = join(dataDir, 'banking77');
  const train = join(dir, 'train.csv');
  const test = join(dir, 'test.csv');
  if (!existsSync(train) || !existsSync(test)) {
    console.warn(`benchReplay: ${dir} has no train.csv/test.csv — skipping the Banking77 replay benchmark`);
    return null;
  }
  const result = replayFiles(
    { seed: train, stream: train, test },
    {
      seedPerIntent: SEED_PER_INTENT,
      block: 500,
      shuffleSeed: SHUFFLE_SEED,
      textColumn: 'text',
      labelColumn: 'category',
      targetSuccess: TARGET_SUCCESS,
      startThreshold: START_THRESHOLD,
      onProgress: (m) => console.error(`  replay: ${m}`),
    },
  );
  const record = {
    benchmark: 'replay-banking77',
    date: new Date().toISOString(),
    machine: `${machine()} (single-threaded run)`,
    method:
      `official Banking77 split; seed = the first ${SEED_PER_INTENT} train rows per intent, stream = the remaining train rows ` +
      `shuffled with seed ${SHUFFLE_SEED} (train.csv is sorted by intent, so file order would replay one intent at a time), ` +
      `blocks of 500 tickets, 200 tickets a simulated day; default autonomy and learning settings except the starting default threshold ${START_THRESHOLD} ` +
      `and the tuner's target success ${TARGET_SUCCESS} (learning.targetSuccess; the default 0.95 aims at 5% wrong, the target here is 2%); ` +
      'batchTestAccuracy = the same classifier trained at once on seed + stream; ' +
      result.note,
    result,
  };
  const out = resolve(here, 'results', 'replay-banking77.json');
  writeResult(out, record);
  return record;
}
