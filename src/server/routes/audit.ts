import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../app.js';
import { AuditEntrySchema, AuditQuerySchema, listAuditLog, recordAudit } from '../../security/audit.js';
import { ADMIN, actorOf, ctxOf } from '../auth.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Admin areas audited whoever may call them (besides every admin-only route). */
const AUDITED_PREFIXES = ['/api/v1/settings', '/api/v1/api-keys', '/api/v1/agents', '/api/v1/teams', '/api/v1/learning', '/api/v1/routing', '/api/v1/sla', '/api/v1/playbooks', '/api/v1/integrations', '/api/v1/webhooks', '/api/v1/channels'];

/**
 * Records every successful mutating request on an admin-only route or an admin area (settings, keys,
 * agents, thresholds, integrations …) in the audit log, after the response; a failure to record is logged.
 */
export function registerAuditHook(app: FastifyInstance, desk: Deskmind): void {
  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING.has(request.method) || reply.statusCode >= 400 || !request.principal) return;
    const route = request.routeOptions.url ?? '';
    const access = request.routeOptions.config?.access;
    const adminOnly = Array.isArray(access) && access.length > 0 && access.every((r) => r === 'admin');
    if (!adminOnly && !AUDITED_PREFIXES.some((p) => route.startsWith(p))) return;
    const actor = actorOf(request.principal);
    try {
      await recordAudit(desk.database.db, {
        workspaceId: request.principal.workspaceId,
        actorType: actor.type,
        actorId: actor.id,
        action: `${request.method} ${route.replace(/^\/api\/v1/, '')}`,
        target: (request.params ?? {}) as Record<string, unknown>,
        data: request.body ?? {},
        status: reply.statusCode,
        ip: request.ip,
        at: desk.now(),
      });
    } catch (err) {
      request.log.error({ err, route }, 'could not record the audit log entry');
    }
  });
}

/** `GET /audit-log`: admin and AI actions, newest first. */
export const auditRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.get('/audit-log', {
    config: { access: ADMIN },
    schema: {
      tags: ['security'],
      summary: 'The audit log: admin actions (settings, keys, agents, thresholds, integrations) and AI actions (answers, drafts, hand-offs, routing), newest first',
      querystring: AuditQuerySchema,
      response: { 200: z.object({ entries: z.array(AuditEntrySchema) }) },
    },
  }, async (request) => listAuditLog(ctxOf(desk, request), request.query));
};
