#!/usr/bin/env node
// `npm ci` runs this (the `prepare` script): it builds dist/ unless dist/ is already newer than every source
// file. So `npx deskmind …` — which installs this folder into npm's cache and runs `prepare` again — does not
// rebuild a package that is already built.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outputs = ['dist/cli/index.js', 'dist/console/index.html', 'dist/widget/widget.js'].map((f) =>
  path.join(root, f),
);
const sources = [
  'src',
  'console',
  'widget',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = 0;
  for (const f of readdirSync(p)) if (f !== 'node_modules') max = Math.max(max, newest(path.join(p, f)));
  return max;
}

const built = outputs.every(existsSync) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
const changed = Math.max(...sources.map((s) => newest(path.join(root, s))));
if (built > changed) {
  console.log('deskmind: dist/ is up to date, not rebuilding (`npm run build` rebuilds)');
} else {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
