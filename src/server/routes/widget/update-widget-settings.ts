import {
  updateWidgetSettings,
  WidgetSettingsPatchSchema,
  WidgetSettingsSchema,
} from '../../../ingest/widget-session.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `PATCH /api/v1/settings/widget` */
export const updateWidgetSettingsRoute: Route = (app, desk) => {
  app.patch(
    '/settings/widget',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['widget'],
        summary: 'Require identity verification, change the title or greeting (logged)',
        body: WidgetSettingsPatchSchema,
        response: { 200: WidgetSettingsSchema },
      },
    },
    async (request) => updateWidgetSettings(ctxOf(desk, request), request.body),
  );
};
