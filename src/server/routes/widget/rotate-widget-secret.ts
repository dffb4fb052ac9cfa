import { rotateWidgetSecret, WidgetSettingsSchema } from '../../../ingest/widget-session.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/settings/widget/rotate` */
export const rotateWidgetSecretRoute: Route = (app, desk) => {
  app.post(
    '/settings/widget/rotate',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['widget'],
        summary: 'Replace the identity-verification secret (ends every widget session)',
        response: { 200: WidgetSettingsSchema },
      },
    },
    async (request) => rotateWidgetSecret(ctxOf(desk, request)),
  );
};
