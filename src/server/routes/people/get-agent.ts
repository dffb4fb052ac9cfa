import { AgentSchema } from '../../../domain/schemas.js';
import { getAgent } from '../../../people/get-agent.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/agents/:id` */
export const getAgentRoute: Route = (app, desk) => {
  app.get(
    '/agents/:id',
    {
      config: { access: STAFF },
      schema: { tags: ['agents'], summary: 'An agent', params: Params, response: { 200: AgentSchema } },
    },
    async (request) => getAgent(ctxOf(desk, request), request.params.id),
  );
};
