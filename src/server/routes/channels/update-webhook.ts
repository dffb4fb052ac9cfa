import { EndpointPatchSchema, EndpointSchema } from '../../../channels/schemas.js';
import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/webhooks/:id` */
export const updateWebhookRoute: Route = (app, desk) => {
  app.patch(
    '/webhooks/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['webhooks'],
        summary: 'Change an endpoint (url, event types, enabled); a disabled one gets no new deliveries',
        params: Params,
        body: EndpointPatchSchema,
        response: { 200: EndpointSchema },
      },
    },
    async (request) => hooks.updateEndpoint(ctxOf(desk, request), request.params.id, request.body, desk.outbound),
  );
};
