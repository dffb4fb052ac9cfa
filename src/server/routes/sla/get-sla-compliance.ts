import { slaCompliance } from '../../../sla/compliance.js';
import { ComplianceQuerySchema, ComplianceSchema } from '../../../sla/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/sla/compliance` */
export const getSlaComplianceRoute: Route = (app, desk) => {
  app.get(
    '/sla/compliance',
    {
      config: { access: STAFF },
      schema: {
        tags: ['sla'],
        summary: 'SLA compliance per tier and priority of tickets created in [from, to) (default: the last 30 days)',
        querystring: ComplianceQuerySchema,
        response: { 200: ComplianceSchema },
      },
    },
    async (request) => slaCompliance(ctxOf(desk, request), request.query),
  );
};
