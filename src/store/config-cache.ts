import { AsyncLocalStorage } from 'node:async_hooks';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { configVersions } from './schema.js';

/**
 * Configuration reads served from memory inside a pipeline run.
 *
 * Database triggers raise a workspace's `config_versions.version` whenever the configuration the pipeline
 * reads changes (workspace settings, integration settings, routing rules, teams, playbooks, articles), from
 * any process. A run reads that version once (`readConfigVersion`) and runs inside `withConfigVersion`;
 * `cachedConfig` then serves each configuration read from the values cached for that version, loading it
 * once per version and process. Outside a run (API requests, jobs, tests) every read goes to the database.
 * Cached values are shared: callers must not mutate them.
 */
interface Scope {
  workspaceId: string;
  version: number;
  /** Values read once for the whole run (see `onceInRun`). */
  memo: Map<string, Promise<unknown>>;
}

const scope = new AsyncLocalStorage<Scope>();
const MAX_WORKSPACES = 500;
const cache = new Map<string, { version: number; values: Map<string, Promise<unknown>> }>();

/** The workspace's configuration version (0 before its first change). */
export async function readConfigVersion(db: DbOrTx, workspaceId: string): Promise<number> {
  const [row] = await db.select({ version: configVersions.version }).from(configVersions).where(eq(configVersions.workspaceId, workspaceId));
  return row?.version ?? 0;
}

/** Runs `fn` with configuration reads of `workspaceId` served from the cache of `version`. */
export function withConfigVersion<T>(workspaceId: string, version: number, fn: () => Promise<T>): Promise<T> {
  return scope.run({ workspaceId, version, memo: new Map() }, fn);
}

/** The configuration version of the current run for `workspaceId`, or null outside one. */
export function currentConfigVersion(workspaceId: string): number | null {
  const s = scope.getStore();
  return s && s.workspaceId === workspaceId ? s.version : null;
}

/** `load()` inside a run for this workspace is done once per configuration version; elsewhere, always. */
export function cachedConfig<T>(workspaceId: string, key: string, load: () => Promise<T>): Promise<T> {
  const version = currentConfigVersion(workspaceId);
  if (version === null) return load();
  let entry = cache.get(workspaceId);
  if (!entry || entry.version !== version) {
    // A newer version replaces the older one; a run still on an older version reads the database.
    if (entry && entry.version > version) return load();
    entry = { version, values: new Map() };
    cache.delete(workspaceId);
    cache.set(workspaceId, entry);
    if (cache.size > MAX_WORKSPACES) cache.delete(cache.keys().next().value!);
  }
  let value = entry.values.get(key) as Promise<T> | undefined;
  if (!value) {
    const values = entry.values;
    value = load();
    values.set(key, value);
    value.catch(() => values.delete(key));
  }
  return value;
}

/**
 * `load()` once per run (a batch of tickets decided together) for this workspace, elsewhere always: for
 * values a run may read as of its start but that no trigger versions, like the latest model version.
 */
export function onceInRun<T>(workspaceId: string, key: string, load: () => Promise<T>): Promise<T> {
  const s = scope.getStore();
  if (!s || s.workspaceId !== workspaceId) return load();
  let value = s.memo.get(key) as Promise<T> | undefined;
  if (!value) {
    value = load();
    s.memo.set(key, value);
    value.catch(() => s.memo.delete(key));
  }
  return value;
}
