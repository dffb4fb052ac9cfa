import { updateEmailSettings } from '../../../channels/email/settings.js';
import { EmailSettingsPatchSchema, EmailSettingsSchema } from '../../../channels/schemas.js';
import { ADMIN, ctxOf, txOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `PATCH /api/v1/settings/email` */
export const updateEmailSettingsRoute: Route = (app, desk) => {
  const tx = <T>(request: Parameters<typeof ctxOf>[1], fn: (ctx: ReturnType<typeof ctxOf>) => Promise<T>) => txOf(desk, request, fn);
  app.patch('/settings/email', {
    config: { access: ADMIN },
    schema: { tags: ['email'], summary: 'Change the email settings (logged); an inbound address belongs to one workspace', body: EmailSettingsPatchSchema, response: { 200: EmailSettingsSchema } },
  }, async (request) => tx(request, (ctx) => updateEmailSettings(ctx, request.body)));
};
