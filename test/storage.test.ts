import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { REDACT_PATHS } from '../src/ops/logger.js';
import { openPglite } from '../src/store/db.js';
import { createWorkspace } from '../src/people/create-workspace.js';
import { backends, openTestDatabase } from './helpers.js';

describe.each(backends())('storage on %s', (kind) => {
  it('applies migrations idempotently, even from several processes at once', async () => {
    const database = await openTestDatabase(kind);
    try {
      await Promise.all([database.migrate(), database.migrate()]);
      const { rows } = await database.executeSql(
        `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
      );
      expect(rows[0]!.n).toBeGreaterThanOrEqual(14);
      const { rows: jobs } = await database.executeSql(
        `select count(*)::int as n from information_schema.schemata where schema_name = 'drizzle'`,
      );
      expect(jobs[0]!.n).toBe(1);
    } finally {
      await database.close();
      await database.cleanup();
    }
  });

  it('keeps workspaces apart at the database level and cascades deletes', async () => {
    const database = await openTestDatabase(kind);
    try {
      const a = await createWorkspace(database.db, { name: 'A' });
      const b = await createWorkspace(database.db, { name: 'B' });
      expect(a.apiKey).not.toBe(b.apiKey);
      await database.executeSql('delete from workspaces where id = $1', [a.workspace.id]);
      const { rows } = await database.executeSql('select count(*)::int as n from api_keys where workspace_id = $1', [
        a.workspace.id,
      ]);
      expect(rows[0]!.n).toBe(0);
      const { rows: left } = await database.executeSql(
        'select count(*)::int as n from api_keys where workspace_id = $1',
        [b.workspace.id],
      );
      expect(left[0]!.n).toBe(1);
    } finally {
      await database.close();
      await database.cleanup();
    }
  });
});

describe('embedded database', () => {
  it('keeps its data in the folder across restarts', async () => {
    const first = await openTestDatabase('pglite');
    const { workspace } = await createWorkspace(first.db, { name: 'Persisted' });
    await first.close();
    const { rows } = await (async () => {
      const again = await reopen(first);
      try {
        return await again.executeSql('select name from workspaces where id = $1', [workspace.id]);
      } finally {
        await again.close();
      }
    })();
    expect(rows[0]!.name).toBe('Persisted');
    await first.cleanup();
  });
});

async function reopen(db: { dataDir?: string }) {
  return openPglite(db.dataDir!);
}

describe('logs', () => {
  it('redact secrets', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk;
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        req: { headers: { authorization: 'Bearer dm_secret', cookie: 'deskmind_session=abc' } },
        apiKey: 'dm_other',
        password: 'hunter22',
      },
      'request',
    );
    expect(out).not.toMatch(/dm_secret|dm_other|hunter22|deskmind_session=abc/);
    expect(out).toContain('[redacted]');
  });
});
