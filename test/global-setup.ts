import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Deskmind } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MIGRATIONS_FOLDER, openPglite } from '../src/store/db.js';
import { TEMPLATE_DIR } from './template.js';

/** Builds (once per schema change) a migrated PGlite data folder that test files copy instead of running initdb. */
export default async function setup(): Promise<void> {
  const config = loadConfig({ logLevel: 'silent' });
  if (!config.testDatabaseUrl) {
    console.log(
      '\n  PostgreSQL half skipped: the storage and API suites run on the embedded database (PGlite) only.\n' +
        '  To run them on a PostgreSQL server too: DESKMIND_TEST_DATABASE_URL=postgres://user@host:port/db npm test\n' +
        '  (each test creates and drops its own database; DESKMIND_TEST_REQUIRE_POSTGRES=true fails instead of ' +
        'skipping).\n',
    );
  }
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_FOLDER).sort())
    if (f.endsWith('.sql')) hash.update(readFileSync(path.join(MIGRATIONS_FOLDER, f)));
  const digest = hash.digest('hex');
  const marker = path.join(TEMPLATE_DIR, '.schema-hash');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === digest) return;
  rmSync(TEMPLATE_DIR, { recursive: true, force: true });
  const database = await openPglite(TEMPLATE_DIR);
  await database.migrate();
  const desk = await Deskmind.open({ config: loadConfig({ logLevel: 'silent' }), database, worker: false });
  await desk.close(); // also closes the database
  writeFileSync(marker, digest);
}
