import { updateAutonomy } from '../../../tickets/autonomy.js';
import { AutonomySettingsPatchSchema, AutonomySettingsSchema } from '../../../domain/settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `PATCH /api/v1/settings/autonomy` */
export const updateAutonomyRoute: Route = (app, desk) => {
  app.patch(
    '/settings/autonomy',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['settings'],
        summary: 'Change autonomy settings (logged with the old and new values)',
        body: AutonomySettingsPatchSchema,
        response: { 200: AutonomySettingsSchema },
      },
    },
    async (request) => {
      return updateAutonomy(ctxOf(desk, request), request.body);
    },
  );
};
