import {
  LearningSettingsPatchSchema,
  LearningSettingsSchema,
  updateLearningSettings,
} from '../../../learning/thresholds.js';
import { ADMIN, ctxOf } from '../../auth.js';
import { inTransaction } from '../../../store/ctx.js';
import type { Route } from '../route.js';

/** `PATCH /api/v1/learning/settings` */
export const updateLearningSettingsRoute: Route = (app, desk) => {
  app.patch(
    '/learning/settings',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['learning'],
        summary: 'Change how thresholds are tuned, incl. pinned intents (logged)',
        body: LearningSettingsPatchSchema,
        response: { 200: LearningSettingsSchema },
      },
    },
    async (request) => {
      return inTransaction(ctxOf(desk, request), (ctx) => updateLearningSettings(ctx, request.body));
    },
  );
};
