import {
  IntegrationSettingsPatchSchema,
  IntegrationSettingsViewSchema,
  updateIntegrationSettings,
} from '../../../connectors/settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { IntegrationRoute } from './types.js';

/** `PATCH /integrations/settings`: changes options and write-only secrets. */
export const updateIntegrationSettingsRoute: IntegrationRoute = (app, desk) => {
  app.patch(
    '/integrations/settings',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['integrations'],
        summary: 'Change integration settings; secrets are write-only (null removes one); logged without secret values',
        body: IntegrationSettingsPatchSchema,
        response: { 200: IntegrationSettingsViewSchema },
      },
    },
    async (request) => {
      return updateIntegrationSettings(ctxOf(desk, request), request.body);
    },
  );
};
