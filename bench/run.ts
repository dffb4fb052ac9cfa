/**
 * `npm run bench`: runs every benchmark and records its results in bench/results/.
 * Data sets are read from DESKMIND_SHARED_DATA_DIR (default ../shared/data), never copied here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { benchIntents } from './intents.js';
import { benchLoad } from './load.js';
import { benchReplay } from './replay.js';
import { benchResolution } from './resolution.js';
import { benchRetrieval } from './retrieval.js';
import { benchStarter } from './starter.js';

const config = loadConfig();
const dataDir = path.resolve(config.sharedDataDir);
const only = process.argv[2];
if (only === 'load') {
  // `npm run bench load`: the HTTP load benchmark alone (needs no data set).
  await benchLoad(Number(process.argv[3] ?? 2000), Number(process.argv[4] ?? 250));
} else if (!existsSync(dataDir)) {
  console.error(`bench: the data folder ${dataDir} is absent (set DESKMIND_SHARED_DATA_DIR); no benchmark can run.`);
  process.exitCode = 1;
} else {
  for (const [name, run] of [
    ['intents (Banking77)', benchIntents],
    ['starter taxonomy (cross-validation)', benchStarter],
    ['retrieval (Bitext)', benchRetrieval],
    ['autonomous resolution (Bitext)', benchResolution],
    ['learning curve (Banking77 replay)', benchReplay],
    ['load (HTTP, embedded and server)', () => benchLoad()],
  ] as const) {
    console.error(`bench: ${name} …`);
    const result = await run(dataDir);
    if (result) console.log(JSON.stringify(result, null, 2));
  }
}
