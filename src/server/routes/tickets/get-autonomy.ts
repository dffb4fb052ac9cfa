import { getAutonomy } from '../../../tickets/autonomy.js';
import { AutonomySettingsSchema } from '../../../domain/settings.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/settings/autonomy` */
export const getAutonomyRoute: Route = (app, desk) => {
  app.get(
    '/settings/autonomy',
    {
      config: { access: STAFF },
      schema: {
        tags: ['settings'],
        summary: 'When the assistant may answer alone: thresholds and guardrails',
        response: { 200: AutonomySettingsSchema },
      },
    },
    async (request) => getAutonomy(ctxOf(desk, request)),
  );
};
