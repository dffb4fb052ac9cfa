import { deleteAgent } from '../../../people/delete-agent.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/agents/:id` */
export const deleteAgentRoute: Route = (app, desk) => {
  app.delete(
    '/agents/:id',
    { config: { access: ADMIN }, schema: { tags: ['agents'], summary: 'Delete an agent', params: Params } },
    async (request, reply) => {
      await deleteAgent(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    },
  );
};
