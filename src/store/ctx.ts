import type { ActorType } from '../domain/enums.js';
import type { DbOrTx } from './db.js';
import type { PendingEvent } from '../events/timeline.js';

/** Who performs an operation. */
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** What every workspace-scoped operation receives: the database, the workspace, the actor and a clock. */
export interface Ctx {
  db: DbOrTx;
  workspaceId: string;
  actor: Actor;
  now: () => Date;
  /** Events appended under `withEventBatch` wait here to be written together (see events/timeline.ts). */
  eventBatch?: PendingEvent[];
}

export const systemActor: Actor = { type: 'system', id: null };

/** A copy of the context bound to a transaction handle. */
export const withDb = (ctx: Ctx, db: DbOrTx): Ctx => ({ ...ctx, db });

/**
 * Runs `fn` in one transaction of `ctx.db`: a new one on the pool, a savepoint inside a transaction (an
 * audited route's, a caller's). An operation that writes opens its own this way, so its caller need not.
 * @example return inTransaction(ctx, async (tx) => { await updateTicket(tx, id, patch); return getTicket(tx, id); });
 */
export const inTransaction = <T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> =>
  ctx.db.transaction((db) => fn(withDb(ctx, db)));
