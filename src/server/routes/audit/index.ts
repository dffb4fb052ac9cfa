import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { inAuditedTransaction, openAuditEntry, settleAuditEntry, type AuditEntry } from '../../../security/audit.js';
import { actorOf, ctxOf, principalOf, type Access } from '../../auth.js';
import { listAuditLogRoute } from './list-audit-log.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Admin areas audited whoever may call them (besides every admin-only route). */
const AUDITED_PREFIXES = [
  '/api/v1/settings',
  '/api/v1/api-keys',
  '/api/v1/agents',
  '/api/v1/teams',
  '/api/v1/learning',
  '/api/v1/routing',
  '/api/v1/sla',
  '/api/v1/playbooks',
  '/api/v1/integrations',
  '/api/v1/webhooks',
  '/api/v1/channels',
];
/** Whether a route writes admin state: mutating, and admin-only or in an admin area (public routes are not audited). */
export function isAuditedRoute(method: string, url: string, access: Access | undefined): boolean {
  if (!MUTATING.has(method) || access === 'public') return false;
  const adminOnly = Array.isArray(access) && access.length > 0 && access.every((r) => r === 'admin');
  return adminOnly || AUDITED_PREFIXES.some((p) => url.startsWith(p));
}
type Handler = RouteOptions['handler'];
/**
 * Every route that writes admin state leaves an audit entry, and fails closed: the handler runs in one
 * transaction (`request.tx`, which `ctxOf` hands to the operation) and the entry is inserted
 * in that transaction before it commits, so a change is never stored without its entry. The response is held
 * until the commit. Routes marked `audit: 'before'` (work that must not hold a transaction open) get their
 * entry written, with status 202, before the handler runs, and its final status after.
 * Wraps handlers as routes are added, so a new admin route cannot skip it.
 */
export function registerAuditHook(app: FastifyInstance, desk: Deskmind): void {
  const started = new WeakMap<FastifyRequest, string>();
  const entryOf = (request: FastifyRequest, status: number): AuditEntry => {
    const actor = actorOf(principalOf(request));
    return {
      workspaceId: principalOf(request).workspaceId,
      actorType: actor.type,
      actorId: actor.id,
      action: `${request.method} ${(request.routeOptions.url ?? '').replace(/^\/api\/v1/, '')}`,
      target: (request.params ?? {}) as Record<string, unknown>,
      data: request.body ?? {},
      status,
      ip: request.ip,
      at: desk.now(),
    };
  };
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (!isAuditedRoute(method, route.url, route.config?.access)) continue;
      route.handler =
        route.config?.audit === 'before'
          ? auditBefore(route.handler, entryOf, desk, started)
          : auditInTransaction(route.handler, entryOf, desk);
      return;
    }
  });
  // The final status is written before the reply goes out, so whoever reads the log after the answer sees it.
  app.addHook('onSend', async (request, reply, payload) => {
    const id = started.get(request);
    if (!id) return payload;
    started.delete(request);
    await settleAuditEntry(ctxOf(desk, request), id, reply.statusCode).catch((err: unknown) =>
      request.log.error({ err }, 'could not record the final status of an audit entry'),
    );
    return payload;
  });
}
function auditInTransaction(
  handler: Handler,
  entryOf: (r: FastifyRequest, status: number) => AuditEntry,
  desk: Deskmind,
): Handler {
  return async function audited(this: FastifyInstance, request, reply) {
    // Hold the handler's `reply.send` until the transaction has committed.
    const send = reply.send;
    let held: { payload: unknown } | null = null;
    // It returns nothing: the reply is thenable (it settles once the response is sent), so a handler's
    // `return reply.send(x)` would otherwise wait for a response that waits for this transaction.
    reply.send = ((payload?: unknown) => {
      held = { payload };
    }) as unknown as typeof reply.send;
    let result: { out: unknown };
    try {
      result = await inAuditedTransaction(
        ctxOf(desk, request),
        async (ctx) => {
          request.tx = ctx.db;
          const out: unknown = await handler.call(this, request, reply);
          return { out };
        },
        () => (reply.statusCode < 400 ? entryOf(request, reply.statusCode) : null),
      );
    } finally {
      request.tx = null;
      reply.send = send;
    }
    const sent = held as { payload: unknown } | null;
    return sent ? reply.send(sent.payload) : result.out;
  };
}
function auditBefore(
  handler: Handler,
  entryOf: (r: FastifyRequest, status: number) => AuditEntry,
  desk: Deskmind,
  started: WeakMap<FastifyRequest, string>,
): Handler {
  return async function audited(this: FastifyInstance, request, reply) {
    started.set(request, await openAuditEntry(ctxOf(desk, request), entryOf(request, 202)));
    return handler.call(this, request, reply);
  };
}

/** `GET /audit-log`: admin and AI actions, newest first. */
export const auditRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    listAuditLogRoute(app, desk);
  };
