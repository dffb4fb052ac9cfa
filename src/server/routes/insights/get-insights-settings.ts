import { getInsightsSettings, InsightsSettingsViewSchema, viewOf } from '../../../insights/settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/insights/settings` */
export const getInsightsSettingsRoute: Route = (app, desk) => {
  app.get(
    '/insights/settings',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['insights'],
        summary: 'Insights settings; tokens and secrets are write-only (shown as has…)',
        response: { 200: InsightsSettingsViewSchema },
      },
    },
    async (request) => viewOf(await getInsightsSettings(ctxOf(desk, request))),
  );
};
