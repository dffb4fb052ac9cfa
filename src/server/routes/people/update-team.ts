import { TeamPatchSchema, TeamSchema } from '../../../domain/schemas.js';
import { updateTeam } from '../../../people/update-team.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/teams/:id` */
export const updateTeamRoute: Route = (app, desk) => {
  app.patch(
    '/teams/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['teams'],
        summary: 'Change a team',
        params: Params,
        body: TeamPatchSchema,
        response: { 200: TeamSchema },
      },
    },
    async (request) => updateTeam(ctxOf(desk, request), request.params.id, request.body),
  );
};
