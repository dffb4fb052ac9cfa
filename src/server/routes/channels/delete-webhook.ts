import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/webhooks/:id` */
export const deleteWebhookRoute: Route = (app, desk) => {
  app.delete(
    '/webhooks/:id',
    {
      config: { access: ADMIN },
      schema: { tags: ['webhooks'], summary: 'Delete an endpoint and its deliveries', params: Params },
    },
    async (request, reply) => {
      await hooks.deleteEndpoint(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    },
  );
};
