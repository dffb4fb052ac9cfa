import type { Actor, Ctx } from './ctx.js';
import type { Database } from './db.js';
import { retryOnConflict } from './pg-errors.js';

/** Who acts in jobs: the desk itself. */
export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

/** A workspace-scoped context over the whole database (no transaction of its own). */
export function contextOf(deps: { database: Database; now: () => Date }, workspaceId: string, actor: Actor): Ctx {
  return { db: deps.database.db, workspaceId, actor, now: deps.now };
}

/** Runs `fn` in one transaction, with a workspace-scoped context over it. */
export function inTransaction<T>(
  deps: { database: Database; now: () => Date },
  workspaceId: string,
  actor: Actor,
  fn: (ctx: Ctx) => Promise<T>,
): Promise<T> {
  return deps.database.db.transaction((tx) => fn({ db: tx, workspaceId, actor, now: deps.now }));
}

/**
 * `inTransaction` for an operation whose only effects are its transaction's writes (the ways in: a ticket, a
 * message, an email; the sweep's steps): run again from the start when PostgreSQL rolled the transaction back
 * to break a deadlock or for a serialization failure (`retryOnConflict`), so that a concurrent writer (another
 * process's) never costs the request.
 */
export function inRetriedTransaction<T>(
  deps: { database: Database; now: () => Date },
  workspaceId: string,
  actor: Actor,
  fn: (ctx: Ctx) => Promise<T>,
): Promise<T> {
  return retryOnConflict(() => inTransaction(deps, workspaceId, actor, fn));
}
