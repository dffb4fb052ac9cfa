import * as playbookOps from '../../../resolution/playbooks.js';
import { PlaybookSchema } from '../../../resolution/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/playbooks/:intent` */
export const getPlaybookRoute: Route = (app, desk) => {
  app.get(
    '/playbooks/:intent',
    {
      config: { access: STAFF },
      schema: {
        tags: ['playbooks'],
        summary: 'The playbook of an intent',
        params: Params,
        response: { 200: PlaybookSchema },
      },
    },
    async (request) => playbookOps.getPlaybook(ctxOf(desk, request), request.params.intent),
  );
};
