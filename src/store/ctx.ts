import type { ActorType } from '../domain/enums.js';
import type { DbOrTx } from './db.js';
import type { PendingEvent } from '../services/events.js';

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
  /** Events appended under `withEventBatch` wait here to be written together (see services/events.ts). */
  eventBatch?: PendingEvent[];
}

export const systemActor: Actor = { type: 'system', id: null };

/** A copy of the context bound to a transaction handle. */
export const withDb = (ctx: Ctx, db: DbOrTx): Ctx => ({ ...ctx, db });
