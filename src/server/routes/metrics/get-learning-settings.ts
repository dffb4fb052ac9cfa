import { getLearningSettings, LearningSettingsSchema } from '../../../learning/thresholds.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/learning/settings` */
export const getLearningSettingsRoute: Route = (app, desk) => {
  app.get(
    '/learning/settings',
    {
      config: { access: STAFF },
      schema: { tags: ['learning'], summary: 'How thresholds are tuned', response: { 200: LearningSettingsSchema } },
    },
    async (request) => getLearningSettings(ctxOf(desk, request)),
  );
};
