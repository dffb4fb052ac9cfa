import { deleteTeam } from '../../../people/delete-team.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/teams/:id` */
export const deleteTeamRoute: Route = (app, desk) => {
  app.delete(
    '/teams/:id',
    { config: { access: ADMIN }, schema: { tags: ['teams'], summary: 'Delete a team', params: Params } },
    async (request, reply) => {
      await deleteTeam(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    },
  );
};
