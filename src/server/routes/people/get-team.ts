import { TeamSchema } from '../../../domain/schemas.js';
import { getTeam } from '../../../people/get-team.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/teams/:id` */
export const getTeamRoute: Route = (app, desk) => {
  app.get(
    '/teams/:id',
    {
      config: { access: STAFF },
      schema: { tags: ['teams'], summary: 'A team', params: Params, response: { 200: TeamSchema } },
    },
    async (request) => getTeam(ctxOf(desk, request), request.params.id),
  );
};
