import { z } from 'zod';
import { EndpointSchema } from '../../../channels/schemas.js';
import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/webhooks` */
export const listWebhooksRoute: Route = (app, desk) => {
  app.get(
    '/webhooks',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook and Slack endpoints',
        response: { 200: z.object({ data: z.array(EndpointSchema) }) },
      },
    },
    async (request) => ({ data: await hooks.listEndpoints(ctxOf(desk, request)) }),
  );
};
