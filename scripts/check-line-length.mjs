// Fails when a source line is longer than the project's limit (the formatter cannot break strings or comments).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const MAX = 120;
const ROOTS = ['src', 'test', 'bench', 'scripts', 'console/src', 'widget/src', 'bin'];
const SOURCE = /\.(ts|tsx|mjs|js)$/;
const root = new URL('..', import.meta.url).pathname;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'migrations') yield* files(path);
    } else if (SOURCE.test(name)) yield path;
  }
}

const long = [];
for (const top of ROOTS) {
  for (const file of files(join(root, top))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if ([...line].length > MAX) long.push(`${relative(root, file)}:${i + 1} has ${[...line].length} characters`);
      });
  }
}
if (long.length > 0) {
  console.error(`${long.length} lines are longer than ${MAX} characters:\n${long.join('\n')}`);
  process.exit(1);
}
