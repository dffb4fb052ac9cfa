import * as playbookOps from '../../../resolution/playbooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/playbooks/:intent` */
export const deletePlaybookRoute: Route = (app, desk) => {
  app.delete(
    '/playbooks/:intent',
    {
      config: { access: ADMIN },
      schema: { tags: ['playbooks'], summary: 'Delete the playbook of an intent', params: Params },
    },
    async (request, reply) => {
      await playbookOps.deletePlaybook(ctxOf(desk, request), request.params.intent);
      return reply.code(204).send();
    },
  );
};
