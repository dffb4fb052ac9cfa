import { z } from 'zod';
import { AGENT_STATUSES } from '../../../domain/enums.js';
import { AgentSchema } from '../../../domain/schemas.js';
import { changePresence } from '../../../routing/presence.js';
import { STAFF, principalOf, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

const PresenceBody = z.object({ status: z.enum(AGENT_STATUSES) }).strict();
const Reassigned = z.object({
  ticketId: z.uuid(),
  teamId: z.uuid().nullable(),
  agentId: z.uuid().nullable(),
  why: z.string(),
});
const PresenceReply = z.object({
  agent: AgentSchema,
  redistributed: z.array(Reassigned),
  /** Tickets waiting in the agent's teams' queues that coming online assigned (to them or a teammate). */
  assigned: z.array(Reassigned),
});

/** `POST /api/v1/agents/:id/presence` */
export const setPresenceRoute: Route = (app, desk) => {
  // ── presence
  app.post(
    '/agents/:id/presence',
    {
      config: { access: STAFF },
      schema: {
        tags: ['agents'],
        summary:
          "Set an agent's presence; going offline hands their open tickets back to their teams, coming online " +
          "takes tickets waiting in their teams' queues (agents: own presence only)",
        params: Params,
        body: PresenceBody,
        response: { 200: PresenceReply },
      },
    },
    async (request) =>
      changePresence(ctxOf(desk, request), principalOf(request), request.params.id, request.body.status),
  );
};
