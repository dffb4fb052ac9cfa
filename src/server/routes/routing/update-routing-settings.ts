import { RoutingSettingsPatchSchema, RoutingSettingsSchema, updateRoutingSettings } from '../../../routing/settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `PATCH /api/v1/routing/settings` */
export const updateRoutingSettingsRoute: Route = (app, desk) => {
  app.patch(
    '/routing/settings',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['routing'],
        summary: 'Change routing settings (logged with the old and new values)',
        body: RoutingSettingsPatchSchema,
        response: { 200: RoutingSettingsSchema },
      },
    },
    async (request) => updateRoutingSettings(ctxOf(desk, request), request.body),
  );
};
