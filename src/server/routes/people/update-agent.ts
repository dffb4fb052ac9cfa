import { AgentPatchSchema, AgentSchema } from '../../../domain/schemas.js';
import * as agentOps from '../../../people/agents.js';
import { setPresence } from '../../../routing/presence.js';
import { DeskmindError } from '../../../domain/errors.js';
import { STAFF, principalOf, txOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/agents/:id` */
export const updateAgentRoute: Route = (app, desk) => {
  app.patch('/agents/:id', { config: { access: STAFF }, schema: { tags: ['agents'], summary: 'Change an agent (agents may change only their own status)', params: Params, body: AgentPatchSchema, response: { 200: AgentSchema } } },
    async (request) => {
      const principal = principalOf(request);
      if (principal.role !== 'admin') {
        const own = principal.kind === 'agent' && principal.agentId === request.params.id;
        const onlyStatus = Object.keys(request.body).every((k) => k === 'status');
        if (!own || !onlyStatus) throw new DeskmindError('forbidden', 'Agents may change only their own status');
      }
      const { status, ...rest } = request.body;
      return txOf(desk, request, async (ctx) => {
        if (Object.keys(rest).length) await agentOps.updateAgent(ctx, request.params.id, rest);
        // Going offline hands the agent's open tickets to their teammates.
        if (status) return (await setPresence(ctx, request.params.id, status)).agent;
        return agentOps.getAgent(ctx, request.params.id);
      });
    });
};
