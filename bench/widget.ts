/** Size of the chat widget bundle a host page downloads: raw, gzip and brotli bytes of dist/widget/widget.js. */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { machine, writeResult } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

/** Builds the widget and records its size in `bench/results/widget.json`. */
export async function benchWidget(): Promise<object> {
  execFileSync('npx', ['vite', 'build', '--config', 'widget/vite.config.ts'], { cwd: root, stdio: 'ignore' });
  const bundle = readFileSync(resolve(root, 'dist', 'widget', 'widget.js'));
  const record = {
    benchmark: 'widget-bundle-size',
    date: new Date().toISOString(),
    machine: machine(),
    howMeasured:
      'dist/widget/widget.js as built by `vite build --config widget/vite.config.ts` (minified IIFE, no ' +
      'dependencies); gzip level 9 and brotli quality 11 with node:zlib.',
    rawBytes: bundle.length,
    gzipBytes: gzipSync(bundle, { level: 9 }).length,
    brotliBytes: brotliCompressSync(bundle, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  writeResult(resolve(here, 'results', 'widget.json'), record);
  return record;
}
