import { z } from 'zod';
import { TeamSchema } from '../../../domain/schemas.js';
import { listTeams } from '../../../people/list-teams.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/teams` */
export const listTeamsRoute: Route = (app, desk) => {
  app.get(
    '/teams',
    {
      config: { access: STAFF },
      schema: { tags: ['teams'], summary: 'List teams', response: { 200: z.object({ data: z.array(TeamSchema) }) } },
    },
    async (request) => ({ data: await listTeams(ctxOf(desk, request)) }),
  );
};
