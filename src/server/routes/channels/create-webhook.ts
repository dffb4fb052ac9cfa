import { EndpointCreatedSchema, EndpointInputSchema } from '../../../channels/schemas.js';
import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/webhooks` */
export const createWebhookRoute: Route = (app, desk) => {
  app.post(
    '/webhooks',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['webhooks'],
        summary: 'Add a webhook or Slack endpoint; the answer shows its signing secret, this once',
        body: EndpointInputSchema,
        response: { 201: EndpointCreatedSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await hooks.createEndpoint(ctxOf(desk, request), request.body, desk.outbound)),
  );
};
