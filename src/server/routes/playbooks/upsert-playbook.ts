import * as playbookOps from '../../../resolution/playbooks.js';
import { PlaybookInputSchema, PlaybookSchema } from '../../../resolution/schemas.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PUT /api/v1/playbooks/:intent` */
export const upsertPlaybookRoute: Route = (app, desk) => {
  app.put(
    '/playbooks/:intent',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['playbooks'],
        summary: 'Create or replace the playbook of an intent (templates and the action input schema are checked)',
        params: Params,
        body: PlaybookInputSchema,
        response: { 200: PlaybookSchema, 201: PlaybookSchema },
      },
    },
    async (request, reply) => {
      const { playbook, created } = await playbookOps.upsertPlaybook(
        ctxOf(desk, request),
        request.params.intent,
        request.body,
        desk.outbound,
      );
      return reply.code(created ? 201 : 200).send(playbook);
    },
  );
};
