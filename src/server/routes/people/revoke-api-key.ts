import { revokeApiKey } from '../../../people/revoke-api-key.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/api-keys/:id` */
export const revokeApiKeyRoute: Route = (app, desk) => {
  app.delete(
    '/api-keys/:id',
    { config: { access: ADMIN }, schema: { tags: ['api keys'], summary: 'Revoke an API key', params: Params } },
    async (request, reply) => {
      await revokeApiKey(ctxOf(desk, request), request.params.id);
      desk.apiKeys.forget(request.params.id);
      return reply.code(204).send();
    },
  );
};
