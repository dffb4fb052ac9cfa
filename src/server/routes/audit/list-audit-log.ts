import { z } from 'zod';
import { AuditEntrySchema, AuditQuerySchema, listAuditLog } from '../../../security/audit.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/audit-log` */
export const listAuditLogRoute: Route = (app, desk) => {
  app.get(
    '/audit-log',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['security'],
        summary:
          'The audit log: admin actions (settings, keys, agents, thresholds, integrations) and AI actions ' +
          '(answers, drafts, hand-offs, routing), newest first',
        querystring: AuditQuerySchema,
        response: { 200: z.object({ entries: z.array(AuditEntrySchema) }) },
      },
    },
    async (request) => listAuditLog(ctxOf(desk, request), request.query),
  );
};
