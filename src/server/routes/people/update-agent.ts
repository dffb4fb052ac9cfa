import { AgentPatchSchema, AgentSchema } from '../../../domain/schemas.js';
import { editAgent } from '../../../people/edit-agent.js';
import { STAFF, principalOf, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/agents/:id` */
export const updateAgentRoute: Route = (app, desk) => {
  app.patch(
    '/agents/:id',
    {
      config: { access: STAFF },
      schema: {
        tags: ['agents'],
        summary: 'Change an agent (agents may change only their own status)',
        params: Params,
        body: AgentPatchSchema,
        response: { 200: AgentSchema },
      },
    },
    async (request) => editAgent(ctxOf(desk, request), principalOf(request), request.params.id, request.body),
  );
};
