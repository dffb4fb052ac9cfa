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

const SCOPE = Symbol('deskmind.configScope');
type Scoped = { [SCOPE]?: Scope };
const MAX_WORKSPACES = 500;
const cache = new Map<string, { version: number; values: Map<string, Promise<unknown>> }>();

/** The workspace's configuration version (0 before its first change). */
export async function readConfigVersion(db: DbOrTx, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ version: configVersions.version })
    .from(configVersions)
    .where(eq(configVersions.workspaceId, workspaceId));
  return row?.version ?? 0;
}

/**
 * A handle on `db` (it runs statements as `db` does) through which configuration reads of `workspaceId` are
 * served from the cache of `version`, and `onceInRun` values are read once.
 */
export function withConfigVersion<T extends DbOrTx>(db: T, workspaceId: string, version: number): T {
  return Object.create(db, { [SCOPE]: { value: { workspaceId, version, memo: new Map() } satisfies Scope } }) as T;
}

/** `tx` (a transaction opened from `from`) with the configuration scope of `from`, if it has one. */
export function inScopeOf<T extends DbOrTx>(tx: T, from: DbOrTx): T {
  const s = (from as Scoped)[SCOPE];
  return s ? (Object.create(tx, { [SCOPE]: { value: s } }) as T) : tx;
}

const scopeOf = (db: DbOrTx, workspaceId: string): Scope | null => {
  const s = (db as Scoped)[SCOPE];
  return s && s.workspaceId === workspaceId ? s : null;
};

/** The configuration version `db` reads `workspaceId`'s configuration at, or null for a plain handle. */
export function currentConfigVersion(db: DbOrTx, workspaceId: string): number | null {
  return scopeOf(db, workspaceId)?.version ?? null;
}

/** `load()` through a handle scoped to this workspace is done once per configuration version; elsewhere, always. */
export function cachedConfig<T>(db: DbOrTx, workspaceId: string, key: string, load: () => Promise<T>): Promise<T> {
  const version = currentConfigVersion(db, workspaceId);
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
  return loadOnce(entry.values as Map<string, Promise<T>>, key, load);
}

/**
 * `load()` once per run (a batch of tickets decided together, through its scoped handle) for this workspace,
 * elsewhere always: for values a run may read as of its start but that no trigger versions, like the latest
 * model version.
 */
export function onceInRun<T>(db: DbOrTx, workspaceId: string, key: string, load: () => Promise<T>): Promise<T> {
  const s = scopeOf(db, workspaceId);
  return s ? loadOnce(s.memo as Map<string, Promise<T>>, key, load) : load();
}

/** The value `load` promised for `key` in `cache`, loaded once; a failed load is not kept (the next caller loads
 * again). */
export function loadOnce<V>(cache: Map<string, Promise<V>>, key: string, load: () => Promise<V>): Promise<V> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}
