import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReference } from '../src/config.js';
import { ERRORS } from '../src/domain/errors.js';
import { ROOT } from './template.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const errorCatalogue = readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8');
const configuration = readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');

describe('README', () => {
  it('names each variable in the README, describes it in docs/configuration.md, each error in docs/errors.md', () => {
    for (const e of configReference) {
      expect(readme, e.env).toContain(`\`${e.env}\``);
      expect(configuration, e.env).toMatch(new RegExp(`^\\| \`${e.env}\` \\|`, 'm'));
    }
    for (const code of Object.keys(ERRORS)) expect(errorCatalogue, code).toContain(`\`${code}\``);
  });

  it('stays short enough for a newcomer to finish, with a contents list', () => {
    // every word a reader meets, as `wc -w` counts them: code blocks and table rules included
    const words = readme.split(/\s+/).filter(Boolean);
    expect(words.length).toBeLessThanOrEqual(2500);
    expect(readme).toMatch(/## Contents/);
  });

  it('links only to docs that exist', () => {
    for (const [, target] of readme.matchAll(/\]\((docs\/[^)#]+)/g))
      expect(existsSync(path.join(ROOT, target!)), target).toBe(true);
  });

  it('gives the two quick-start commands that CI runs', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
    expect(readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toContain('npm ci && npm test');
  });
});

describe('code hygiene', () => {
  it('reads process.env only in the config module', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ts$/.test(f) && !f.endsWith('.test.ts') && readFileSync(p, 'utf8').includes('process.env'))
          offenders.push(path.relative(ROOT, p));
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(offenders).toEqual(['src/config.ts']);
  });
});
