/**
 * `npm run bench`: runs every benchmark and records its results in bench/results/; `npm run bench -- replay`
 * runs those whose name contains any of the words given.
 * Data sets are read from DESKMIND_SHARED_DATA_DIR (default ../shared/data), never copied here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { benchAnomalies } from './anomalies.js';
import { benchImport } from './import.js';
import { benchIntents } from './intents.js';
import { benchOutbox } from './outbox.js';
import { benchLoad } from './load.js';
import { benchMemory } from './memory.js';
import { benchReplay } from './replay.js';
import { benchRetrain } from './retrain.js';
import { benchResolution } from './resolution.js';
import { benchResolutionCustom } from './resolution-custom.js';
import { benchScale } from './scale.js';
import { benchResolutionReal } from './resolution-real.js';
import { benchRetrieval } from './retrieval.js';
import { benchSentiment } from './sentiment.js';
import { benchStarter } from './starter.js';
import { benchWidget } from './widget.js';
import { benchTopics } from './topics.js';

const config = loadConfig();
const dataDir = path.resolve(config.sharedDataDir);
const words = process.argv.slice(2);

// `npm run bench load [tickets] [rate]`: the HTTP load benchmark alone, with its own sizes.
if (words[0] === 'load' && words.length > 1) {
  await benchLoad(Number(words[1]), Number(words[2] ?? 250));
} else {
  const benches: [name: string, run: (dataDir: string, words: string[]) => Promise<unknown>, needsData: boolean][] = [
    ['widget bundle size', () => benchWidget(), false],
    ['intents (Banking77)', benchIntents, true],
    ['starter taxonomy (cross-validation)', benchStarter, true],
    ['retrieval (Bitext)', benchRetrieval, true],
    ['sentiment (Bitext tags, hand-written support messages)', benchSentiment, false],
    ['autonomous resolution (Bitext)', benchResolution, true],
    ["resolution-custom (a shop's own taxonomy from Bitext)", benchResolutionCustom, true],
    ['resolution-real (Pipewise demo, realistic tickets)', () => benchResolutionReal(), false],
    ['learning curve (Banking77 replay)', benchReplay, true],
    ['intent memory (Banking77 replay from 10 per intent, labels until answered)', benchMemory, true],
    ['outbox (webhook backlog drain)', () => benchOutbox(), false],
    ['topics (Banking77, Bitext)', benchTopics, true],
    ['anomaly detection (synthetic streams)', () => benchAnomalies(), false],
    ['load (HTTP, embedded and server)', () => benchLoad(), false],
    ['import (bulk, embedded and server)', () => benchImport(), false],
    ['retrain (100k labelled tickets, embedded and server)', () => benchRetrain(words.slice(1)), false],
    ['scale (10k and 100k tickets, embedded and server)', () => benchScale(words.slice(1)), false],
  ];
  for (const [name, run, needsData] of benches) {
    if (words.length && !words.some((w) => name.includes(w))) continue;
    if (needsData && !existsSync(dataDir)) {
      console.error(`bench: ${name} skipped: the data folder ${dataDir} is absent (set DESKMIND_SHARED_DATA_DIR).`);
      process.exitCode = 1;
      continue;
    }
    console.error(`bench: ${name} …`);
    const result = await run(dataDir, words);
    if (result) console.log(JSON.stringify(result, null, 2));
  }
}
