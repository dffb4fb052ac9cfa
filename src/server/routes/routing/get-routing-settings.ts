import { RoutingSettingsSchema, getRoutingSettings } from '../../../routing/settings.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/routing/settings` */
export const getRoutingSettingsRoute: Route = (app, desk) => {
  // ── settings
  app.get(
    '/routing/settings',
    {
      config: { access: STAFF },
      schema: { tags: ['routing'], summary: 'Routing settings', response: { 200: RoutingSettingsSchema } },
    },
    async (request) => getRoutingSettings(ctxOf(desk, request)),
  );
};
