import { EndpointSchema } from '../../../channels/schemas.js';
import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/webhooks/:id` */
export const getWebhookRoute: Route = (app, desk) => {
  app.get(
    '/webhooks/:id',
    {
      config: { access: ADMIN },
      schema: { tags: ['webhooks'], summary: 'One endpoint', params: Params, response: { 200: EndpointSchema } },
    },
    async (request) => hooks.getEndpoint(ctxOf(desk, request), request.params.id),
  );
};
