import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * Writes a gzip'd tarball of the embedded database folder (PGlite `dumpDataDir`). The folder must not be
 * in use: stop `deskmind serve` / `worker` first (PGlite is single-process).
 */
export async function backupDataDir(dataDir: string, outFile: string): Promise<{ bytes: number }> {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) throw new Error(`${dataDir} holds no Deskmind database`);
  const lite = new PGlite(dataDir);
  try {
    await lite.waitReady;
    await lite.exec('checkpoint');
    const blob = await lite.dumpDataDir('gzip');
    const bytes = Buffer.from(await blob.arrayBuffer());
    mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
    writeFileSync(outFile, bytes);
    return { bytes: bytes.length };
  } finally {
    await lite.close();
  }
}

/**
 * Restores a backup into `dataDir`. An existing non-empty folder is refused unless `force`, in which case it
 * is first moved aside to `<dataDir>.before-restore-<timestamp>` (never deleted).
 */
export async function restoreDataDir(dataDir: string, fromFile: string, opts: { force?: boolean; now?: Date } = {}): Promise<{ movedAside: string | null }> {
  const data = readFileSync(fromFile);
  let movedAside: string | null = null;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    if (!opts.force) throw new Error(`${dataDir} is not empty; pass --force to move it aside and restore`);
    movedAside = `${dataDir.replace(/\/+$/, '')}.before-restore-${(opts.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dataDir, movedAside);
  }
  mkdirSync(dataDir, { recursive: true });
  const lite = new PGlite(dataDir, { loadDataDir: new Blob([data]) });
  try {
    await lite.waitReady;
    await lite.query('select 1');
  } finally {
    await lite.close();
  }
  return { movedAside };
}
