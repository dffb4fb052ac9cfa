import { TeamInputSchema, TeamSchema } from '../../../domain/schemas.js';
import * as agentOps from '../../../people/agents.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/teams` */
export const createTeamRoute: Route = (app, desk) => {
  // ── teams
  app.post(
    '/teams',
    {
      config: { access: ADMIN },
      schema: { tags: ['teams'], summary: 'Create a team', body: TeamInputSchema, response: { 201: TeamSchema } },
    },
    async (request, reply) => reply.code(201).send(await agentOps.createTeam(ctxOf(desk, request), request.body)),
  );
};
