import {
  InsightsSettingsPatchSchema,
  InsightsSettingsViewSchema,
  updateInsightsSettings,
} from '../../../insights/settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import { inTransaction } from '../../../store/ctx.js';
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
    async (request) => {
      return inTransaction(ctxOf(desk, request), (ctx) => updateInsightsSettings(ctx, request.body, desk.outbound));
    },
  );
};
