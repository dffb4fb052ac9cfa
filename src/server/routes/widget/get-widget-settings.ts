import { getWidgetSettings, WidgetSettingsSchema } from '../../../ingest/widget-session.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/settings/widget` */
export const getWidgetSettingsRoute: Route = (app, desk) => {
  // Admin side: the public id, the secret and whether identity verification is required.
  app.get(
    '/settings/widget',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['widget'],
        summary: 'The widget public id, identity-verification secret and options (created on first use)',
        response: { 200: WidgetSettingsSchema },
      },
    },
    async (request) => getWidgetSettings(ctxOf(desk, request)),
  );
};
