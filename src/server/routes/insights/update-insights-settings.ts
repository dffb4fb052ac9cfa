import { changeInsightsSettings } from '../../../insights/change-insights-settings.js';
import { InsightsSettingsPatchSchema, InsightsSettingsViewSchema } from '../../../insights/settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `PATCH /api/v1/insights/settings` */
export const updateInsightsSettingsRoute: Route = (app, desk) => {
  app.patch(
    '/insights/settings',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['insights'],
        summary:
          'Change insights settings: bug tracker (Linear, GitHub, webhook), topics, anomaly false-alarm rate ' +
          '(logged, secrets never)',
        body: InsightsSettingsPatchSchema,
        response: { 200: InsightsSettingsViewSchema },
      },
    },
    async (request) => changeInsightsSettings(ctxOf(desk, request), request.body, desk.outbound),
  );
};
