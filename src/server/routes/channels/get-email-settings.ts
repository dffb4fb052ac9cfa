import { getEmailSettings, EmailSettingsSchema } from '../../../connectors/email-settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/settings/email` */
export const getEmailSettingsRoute: Route = (app, desk) => {
  app.get(
    '/settings/email',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['email'],
        summary: 'The inbound address and sender name of email tickets',
        response: { 200: EmailSettingsSchema },
      },
    },
    async (request) => getEmailSettings(ctxOf(desk, request)),
  );
};
