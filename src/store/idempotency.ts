import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { idempotencyKeys } from './schema.js';

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
export async function storeIdempotentResponse(
  db: DbOrTx,
  claim: IdempotencyClaim,
  statusCode: number,
  response: unknown,
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ statusCode, response })
    .where(and(eq(idempotencyKeys.workspaceId, claim.workspaceId), eq(idempotencyKeys.key, claim.key)));
}

/**
 * `storeIdempotentResponse` for many claims in one statement (the responses of a group of requests written
 * in one transaction).
 */
export async function storeIdempotentResponses(
  db: DbOrTx,
  stored: { claim: IdempotencyClaim; statusCode: number; response: unknown }[],
): Promise<void> {
  if (stored.length <= 1) {
    for (const s of stored) await storeIdempotentResponse(db, s.claim, s.statusCode, s.response);
    return;
  }
  const rows = sql.join(
    stored.map(
      (s) =>
        sql`(${s.claim.workspaceId}::uuid, ${s.claim.key}::text, ${s.statusCode}::int,
            ${JSON.stringify(s.response)}::jsonb)`,
    ),
    sql`, `,
  );
  await db.execute(sql`
    update ${idempotencyKeys} set status_code = v.status_code, response = v.response
    from (values ${rows}) as v(workspace_id, key, status_code, response)
    where ${idempotencyKeys.workspaceId} = v.workspace_id and ${idempotencyKeys.key} = v.key`);
}
