import { LearningSettingsPatchSchema, LearningSettingsSchema } from '../../../learning/thresholds.js';
import { changeLearningSettings } from '../../../metrics/change-learning-settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
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
    async (request) => changeLearningSettings(ctxOf(desk, request), request.body),
  );
};
