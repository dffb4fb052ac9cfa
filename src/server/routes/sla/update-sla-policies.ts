import { SlaSettingsPatchSchema, SlaSettingsSchema, updateSlaSettings } from '../../../sla/settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `PATCH /api/v1/sla/policies` */
export const updateSlaPoliciesRoute: Route = (app, desk) => {
  app.patch(
    '/sla/policies',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['sla'],
        summary: 'Change SLA settings: policies replace the list, calendar and atRisk change the fields sent (logged)',
        body: SlaSettingsPatchSchema,
        response: { 200: SlaSettingsSchema },
      },
    },
    async (request) => updateSlaSettings(ctxOf(desk, request), request.body),
  );
};
