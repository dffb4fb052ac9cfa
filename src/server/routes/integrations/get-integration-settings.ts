import { IntegrationSettingsViewSchema, loadIntegrationConfig, viewOf } from '../../../connectors/settings.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { IntegrationRoute } from './types.js';

/** `GET /integrations/settings`: every connector's settings, secrets masked. */
export const getIntegrationSettings: IntegrationRoute = (app, desk) => {
  app.get(
    '/integrations/settings',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['integrations'],
        summary: 'Integration settings (secrets shown only as set / last four characters)',
        response: { 200: IntegrationSettingsViewSchema },
      },
    },
    async (request) => {
      const ctx = ctxOf(desk, request);
      return viewOf(ctx.workspaceId, await loadIntegrationConfig(ctx.db, ctx.workspaceId));
    },
  );
};
