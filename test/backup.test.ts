import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runDeskmind, startDeskmind, waitReady } from '../src/ops/processes.js';
import { openPglite } from '../src/store/db.js';
import { NO_DEADLINE } from './helpers-wait.js';
import { TEMPLATE_DIR } from './template.js';

const root = mkdtempSync(path.join(tmpdir(), 'deskmind-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const workspaces = async (dir: string) => {
  const db = await openPglite(dir);
  try {
    return (await db.executeSql('select id from workspaces order by id')).rows.map((r) => String(r.id));
  } finally {
    await db.close();
  }
};

describe('deskmind backup / restore (embedded)', () => {
  it('round-trips the data folder, refuses to overwrite without --force, and keeps the old folder aside', async () => {
    const dir = path.join(root, 'data');
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    const env = { DESKMIND_DATA_DIR: dir, DATABASE_URL: '', DESKMIND_LOG_LEVEL: 'warn' };
    const first = JSON.parse(await runDeskmind(['create-workspace', '--name', 'Before', '--json'], env)) as {
      workspaceId: string;
      apiKey: string;
    };
    const file = path.join(root, 'backup.tar.gz');
    await runDeskmind(['backup', '--out', file], env);
    expect(existsSync(file)).toBe(true);

    // A change after the backup …
    const second = JSON.parse(await runDeskmind(['create-workspace', '--name', 'After', '--json'], env)) as {
      workspaceId: string;
    };
    expect(await workspaces(dir)).toEqual([first.workspaceId, second.workspaceId].sort());

    // … is undone by a restore, which refuses a non-empty folder unless forced.
    await expect(runDeskmind(['restore', '--from', file], env)).rejects.toThrow(/not empty/);
    await runDeskmind(['restore', '--from', file, '--force'], env);
    expect(await workspaces(dir)).toEqual([first.workspaceId]);
    const aside = readdirSync(root).filter((d) => d.startsWith('data.before-restore-'));
    expect(aside).toHaveLength(1);
    expect(await workspaces(path.join(root, aside[0]!))).toEqual([first.workspaceId, second.workspaceId].sort());

    // Into a new, empty folder; the restored database is usable (its API key still authenticates).
    const fresh = path.join(root, 'fresh');
    await runDeskmind(['restore', '--from', file], { ...env, DESKMIND_DATA_DIR: fresh });
    const db = await openPglite(fresh);
    try {
      const { rows } = await db.executeSql('select count(*)::int n from api_keys where workspace_id = $1', [
        first.workspaceId,
      ]);
      expect(rows[0]!.n).toBe(1);
    } finally {
      await db.close();
    }
    // Server mode points to pg_dump instead.
    await expect(
      runDeskmind(['backup', '--out', file], { ...env, DATABASE_URL: 'postgres://u@127.0.0.1:1/x' }),
    ).rejects.toThrow(/pg_dump/);
  });
});

describe('deskmind backup / restore: bad archives and a folder in use', () => {
  it(
    'verifies an archive before touching the data folder, ' + 'and leaves it as it was when the archive is bad',
    async () => {
      const dir = path.join(root, 'kept');
      cpSync(TEMPLATE_DIR, dir, { recursive: true });
      const env = { DESKMIND_DATA_DIR: dir, DATABASE_URL: '', DESKMIND_LOG_LEVEL: 'warn' };
      const { workspaceId } = JSON.parse(await runDeskmind(['create-workspace', '--name', 'Kept', '--json'], env)) as {
        workspaceId: string;
      };
      const good = path.join(root, 'good.tar.gz');
      await runDeskmind(['backup', '--out', good], env);
      const bytes = readFileSync(good);
      const tar = gunzipSync(bytes);
      const damaged = Buffer.from(tar);
      damaged.fill(0x41, 512 * 3, 512 * 3 + 300); // a header or file block overwritten
      const bad: Record<string, Buffer> = {
        'random bytes': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)),
        'a truncated archive': bytes.subarray(0, Math.floor(bytes.length / 2)),
        'gzip of no tar': gzipSync(Buffer.from('hello, not a tarball')),
        'a tar of no database': gzipSync(tar.subarray(0, 0)),
        'a damaged tar': gzipSync(damaged),
      };
      for (const [what, content] of Object.entries(bad)) {
        const file = path.join(root, 'bad.tar.gz');
        writeFileSync(file, content);
        await expect(runDeskmind(['restore', '--from', file, '--force'], env), what).rejects.toThrow(
          /not a gzip|corrupt|truncated|no PostgreSQL|not a usable/,
        );
        expect(
          readdirSync(root).filter((d) => d.startsWith('kept.')),
          what,
        ).toEqual([]);
        expect(await workspaces(dir), what).toContain(workspaceId);
      }
      // The good archive still restores (the damaged one did differ from it).
      await runDeskmind(['restore', '--from', good, '--force'], env);
      expect(await workspaces(dir)).toContain(workspaceId);
    },
  );

  it('refuses to back up or restore a folder a running server holds, saying why', async () => {
    const dir = path.join(root, 'busy');
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    const port = await freePort();
    const env = { DESKMIND_DATA_DIR: dir, DATABASE_URL: '', DESKMIND_LOG_LEVEL: 'warn', DESKMIND_PORT: String(port) };
    const before = path.join(root, 'busy-before.tar.gz');
    await runDeskmind(['backup', '--out', before], env);
    const file = path.join(root, 'busy.tar.gz');
    const server = startDeskmind(['serve'], env);
    try {
      await waitReady(`http://127.0.0.1:${port}`, server, NO_DEADLINE);
      await expect(runDeskmind(['backup', '--out', file], env)).rejects.toThrow(
        /in use by process \d+ .*would not be consistent.*stop it first/s,
      );
      expect(existsSync(file)).toBe(false);
      await expect(runDeskmind(['restore', '--from', before, '--force'], env)).rejects.toThrow(
        /in use by process \d+ .*stop it first/s,
      );
      expect(readdirSync(root).filter((d) => d.startsWith('busy.'))).toEqual([]);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
    await runDeskmind(['backup', '--out', file], env);
    expect(existsSync(file)).toBe(true);
  });
});
