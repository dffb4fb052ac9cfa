import { SlaSettingsSchema, getSlaSettings } from '../../../sla/settings.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/sla/policies` */
export const getSlaPoliciesRoute: Route = (app, desk) => {
  app.get(
    '/sla/policies',
    {
      config: { access: STAFF },
      schema: {
        tags: ['sla'],
        summary: 'SLA policies, business calendar and at-risk window',
        response: { 200: SlaSettingsSchema },
      },
    },
    async (request) => getSlaSettings(ctxOf(desk, request)),
  );
};
