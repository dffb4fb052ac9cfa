import { TeamInputSchema, TeamSchema } from '../../../domain/schemas.js';
import { createTeam } from '../../../people/create-team.js';
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
    async (request, reply) => reply.code(201).send(await createTeam(ctxOf(desk, request), request.body)),
  );
};
