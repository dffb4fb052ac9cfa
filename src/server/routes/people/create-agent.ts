import { AgentInputSchema, AgentSchema } from '../../../domain/schemas.js';
import { createAgent } from '../../../people/create-agent.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/agents` */
export const createAgentRoute: Route = (app, desk) => {
  // ── agents
  app.post(
    '/agents',
    {
      config: { access: ADMIN },
      schema: { tags: ['agents'], summary: 'Create an agent', body: AgentInputSchema, response: { 201: AgentSchema } },
    },
    async (request, reply) => reply.code(201).send(await createAgent(ctxOf(desk, request), request.body)),
  );
};
