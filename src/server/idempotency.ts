import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DeskmindError } from '../domain/errors.js';
import type { Deskmind } from '../app.js';
import { storeIdempotentResponse, type IdempotencyClaim } from '../store/idempotency.js';
import { verifyWidgetToken, WIDGET_TOKEN_HEADER } from '../ingest/widget-session.js';
import { idempotencyKeys } from '../store/schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotencyClaim | null;
  }
}

const STALE_MS = 5 * 60_000;
const WIDGET_PREFIX = '/api/v1/widget/';

/** What identifies a request for its `Idempotency-Key`: a retry must send the same method, URL and body. */
export const idempotencyHash = (method: string, url: string, body: unknown) =>
  createHash('sha256')
    .update(`${method} ${url}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');

/**
 * `Idempotency-Key` on POST: the first response is stored and returned again on a retry with the same key
 * and body (with `Idempotent-Replayed: true`); a different body with the same key is refused.
 */
export function registerIdempotency(app: FastifyInstance, desk: Deskmind): void {
  app.decorateRequest('idempotency', null);
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const sent = request.headers['idempotency-key'];
    if (request.method !== 'POST' || sent === undefined) return;
    // A malformed key is refused on every POST (an empty one would otherwise be silently ignored).
    if (typeof sent !== 'string' || sent.trim().length < 1 || sent.length > 255) {
      throw new DeskmindError('validation_failed', 'Idempotency-Key must be one header of 1 to 255 characters', {
        issues: [{ path: 'header.idempotency-key', message: 'must be 1 to 255 characters' }],
      });
    }
    // The widget's visitors: keys of their session's workspace, apart for each customer.
    const widget =
      !request.principal && request.url.startsWith(WIDGET_PREFIX) && !request.url.startsWith(`${WIDGET_PREFIX}session`)
        ? await verifyWidgetToken(desk, request.headers[WIDGET_TOKEN_HEADER] as string | undefined)
        : null;
    const workspaceId = request.principal?.workspaceId ?? widget?.workspaceId;
    if (!workspaceId) return;
    const key = widget ? `widget:${widget.customerId}:${sent}` : sent;
    const requestHash = idempotencyHash(request.method, request.url, request.body);
    const db = desk.database.db;
    const where = and(eq(idempotencyKeys.workspaceId, workspaceId), eq(idempotencyKeys.key, key));
    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await db
        .insert(idempotencyKeys)
        .values({ workspaceId, key, requestHash, createdAt: desk.now() })
        .onConflictDoNothing()
        .returning();
      if (inserted.length) {
        request.idempotency = { workspaceId, key };
        return;
      }
      const [row] = await db.select().from(idempotencyKeys).where(where);
      if (!row) continue;
      if (row.requestHash !== requestHash) throw new DeskmindError('idempotency_key_reused');
      if (row.statusCode !== null) {
        return reply
          .code(row.statusCode)
          .header('idempotent-replayed', 'true')
          .type(row.statusCode >= 400 ? 'application/problem+json' : 'application/json')
          .serializer((payload) => payload as string)
          .send(JSON.stringify(row.response));
      }
      if (desk.now().getTime() - row.createdAt.getTime() < STALE_MS) throw new DeskmindError('idempotency_in_progress');
      await db.delete(idempotencyKeys).where(where); // the first attempt died; let this one run
    }
    throw new DeskmindError('idempotency_in_progress');
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = null;
    const where = and(eq(idempotencyKeys.workspaceId, idem.workspaceId), eq(idempotencyKeys.key, idem.key));
    if (reply.statusCode >= 500) {
      // With the database down this fails too: the claim then counts as in progress until it is stale.
      await desk.database.db
        .delete(idempotencyKeys)
        .where(where)
        .catch(() => undefined);
      return payload;
    }
    let response: unknown = null;
    try {
      response = typeof payload === 'string' ? JSON.parse(payload) : null;
    } catch {
      response = null;
    }
    await storeIdempotentResponse(desk.database.db, idem, reply.statusCode, response);
    return payload;
  });
}
