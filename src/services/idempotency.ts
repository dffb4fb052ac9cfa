import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../store/db.js';
import { idempotencyKeys } from '../store/schema.js';

/** The `Idempotency-Key` of the request being handled (claimed by the server before the handler runs). */
export interface IdempotencyClaim {
  workspaceId: string;
  key: string;
}

/**
 * Stores the response of a claimed `Idempotency-Key`: a retry with the same key gets it again. Called inside
 * the transaction that makes the change, a crash after the commit can no longer leave the change without
 * its stored response (a late retry would otherwise run the request a second time).
 */
export async function storeIdempotentResponse(db: DbOrTx, claim: IdempotencyClaim, statusCode: number, response: unknown): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ statusCode, response })
    .where(and(eq(idempotencyKeys.workspaceId, claim.workspaceId), eq(idempotencyKeys.key, claim.key)));
}
