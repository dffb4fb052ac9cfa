import { changeEmailSettings } from '../../../channels/change-email-settings.js';
import { EmailSettingsPatchSchema, EmailSettingsSchema } from '../../../connectors/email-settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `PATCH /api/v1/settings/email` */
export const updateEmailSettingsRoute: Route = (app, desk) => {
  app.patch(
    '/settings/email',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['email'],
        summary: 'Change the email settings (logged); an inbound address belongs to one workspace',
        body: EmailSettingsPatchSchema,
        response: { 200: EmailSettingsSchema },
      },
    },
    async (request) => changeEmailSettings(ctxOf(desk, request), request.body),
  );
};
