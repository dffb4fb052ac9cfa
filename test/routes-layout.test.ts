/**
 * CONTRIBUTING's rule for routes: the handler parses, calls one operation (which opens its own transaction) and
 * shapes the reply; a route never picks a transaction nor reaches `desk.database`. This reads every file under
 * src/server/routes and fails on one that does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './template.js';

const ROUTES = path.join(ROOT, 'src', 'server', 'routes');
/** What only an operation (or the composition root) does. */
const FORBIDDEN = [/\binTransaction\(/, /\bdesk\.database\b/, /\.transaction\(/, /\bdesk\.tx\(/];

const routeFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? routeFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );

describe('routes', () => {
  it('never open a transaction nor reach the database: they call one operation', () => {
    const files = routeFiles(ROUTES);
    expect(files.length).toBeGreaterThan(50);
    const offending = files
      .map((file) => path.relative(ROUTES, file).split(path.sep).join('/'))
      .flatMap((name) => {
        const source = readFileSync(path.join(ROUTES, name), 'utf8');
        return FORBIDDEN.filter((re) => re.test(source)).map((re) => `${name}: ${re.source}`);
      });
    expect(offending).toEqual([]);
  });
});
