import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDeskmind } from '../src/ops/processes.js';
import { openPglite } from '../src/store/db.js';
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
    const first = JSON.parse(await runDeskmind(['create-workspace', '--name', 'Before', '--json'], env)) as { workspaceId: string; apiKey: string };
    const file = path.join(root, 'backup.tar.gz');
    await runDeskmind(['backup', '--out', file], env);
    expect(existsSync(file)).toBe(true);

    // A change after the backup …
    const second = JSON.parse(await runDeskmind(['create-workspace', '--name', 'After', '--json'], env)) as { workspaceId: string };
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
      const { rows } = await db.executeSql('select count(*)::int n from api_keys where workspace_id = $1', [first.workspaceId]);
      expect(rows[0]!.n).toBe(1);
    } finally {
      await db.close();
    }
    // Server mode points to pg_dump instead.
    await expect(runDeskmind(['backup', '--out', file], { ...env, DATABASE_URL: 'postgres://u@127.0.0.1:1/x' })).rejects.toThrow(/pg_dump/);
  });
});
