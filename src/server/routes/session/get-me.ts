import { z } from 'zod';
import { AgentSchema } from '../../../domain/schemas.js';
import { getAgent } from '../../../people/get-agent.js';
import { STAFF, ctxOf, principalOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/auth/me` */
export const getMeRoute: Route = (app, desk) => {
  app.get(
    '/auth/me',
    {
      config: { access: STAFF },
      schema: {
        tags: ['auth'],
        summary: 'Who the session or key belongs to',
        response: {
          200: z.object({ workspaceId: z.uuid(), role: z.string(), kind: z.string(), agent: AgentSchema.nullable() }),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return {
        workspaceId: p.workspaceId,
        role: p.role,
        kind: p.kind,
        agent: p.kind === 'agent' ? await getAgent(ctxOf(desk, request), p.agentId) : null,
      };
    },
  );
};
