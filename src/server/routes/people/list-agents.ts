import { z } from 'zod';
import { AgentSchema } from '../../../domain/schemas.js';
import { listAgents } from '../../../people/list-agents.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/agents` */
export const listAgentsRoute: Route = (app, desk) => {
  app.get(
    '/agents',
    {
      config: { access: STAFF },
      schema: { tags: ['agents'], summary: 'List agents', response: { 200: z.object({ data: z.array(AgentSchema) }) } },
    },
    async (request) => ({ data: await listAgents(ctxOf(desk, request)) }),
  );
};
