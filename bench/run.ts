/**
 * `npm run bench`: runs every benchmark and records its results in bench/results/; `npm run bench -- replay`
 * runs those whose name contains any of the words given.
 * Data sets are read from DESKMIND_SHARED_DATA_DIR (default ../shared/data), never copied here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { benchAnomalies } from './anomalies.js';
import { benchIntents } from './intents.js';
import { benchOutbox } from './outbox.js';
import { benchReplay } from './replay.js';
import { benchResolution } from './resolution.js';
import { benchRetrieval } from './retrieval.js';
import { benchStarter } from './starter.js';
import { benchWidget } from './widget.js';
import { benchTopics } from './topics.js';

const config = loadConfig();
const dataDir = path.resolve(config.sharedDataDir);
// Needs no data set.
console.error('bench: widget bundle size …');
console.log(JSON.stringify(await benchWidget(), null, 2));
if (!existsSync(dataDir)) {
  console.error(`bench: the data folder ${dataDir} is absent (set DESKMIND_SHARED_DATA_DIR); no benchmark can run.`);
  process.exitCode = 1;
} else {
  for (const [name, run] of [
    ['intents (Banking77)', benchIntents],
    ['starter taxonomy (cross-validation)', benchStarter],
    ['retrieval (Bitext)', benchRetrieval],
    ['autonomous resolution (Bitext)', benchResolution],
    ['learning curve (Banking77 replay)', benchReplay],
    ['outbox (webhook backlog drain)', benchOutbox],
    ['topics (Banking77, Bitext)', benchTopics],
    ['anomaly detection (synthetic streams)', benchAnomalies],
  ] as const) {
    const only = process.argv.slice(2);
    if (only.length && !only.some((w) => name.includes(w))) continue;
    console.error(`bench: ${name} …`);
    const result = await run(dataDir);
    if (result) console.log(JSON.stringify(result, null, 2));
  }
}
