import { EndpointCreatedSchema } from '../../../channels/schemas.js';
import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/webhooks/:id/rotate-secret` */
export const rotateWebhookSecretRoute: Route = (app, desk) => {
  app.post(
    '/webhooks/:id/rotate-secret',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['webhooks'],
        summary: "Replace an endpoint's signing secret (shown once)",
        params: Params,
        response: { 200: EndpointCreatedSchema },
      },
    },
    async (request) => hooks.rotateEndpointSecret(ctxOf(desk, request), request.params.id),
  );
};
