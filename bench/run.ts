/**
 * `npm run bench`: runs every benchmark and records its results in bench/results/.
 * Data sets are read from DESKMIND_SHARED_DATA_DIR (default ../shared/data), never copied here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { benchIntents } from './intents.js';

const config = loadConfig();
const dataDir = path.resolve(config.sharedDataDir);
if (!existsSync(dataDir)) {
  console.error(`bench: the data folder ${dataDir} is absent (set DESKMIND_SHARED_DATA_DIR); no benchmark can run.`);
  process.exitCode = 1;
} else {
  const intents = await benchIntents(dataDir);
  if (intents) console.log(JSON.stringify(intents, null, 2));
}
