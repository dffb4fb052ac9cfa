import { z } from 'zod';
import * as playbookOps from '../../../resolution/playbooks.js';
import { PlaybookSchema } from '../../../resolution/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/playbooks` */
export const listPlaybooksRoute: Route = (app, desk) => {
  app.get(
    '/playbooks',
    {
      config: { access: STAFF },
      schema: {
        tags: ['playbooks'],
        summary: 'List playbooks',
        response: { 200: z.object({ data: z.array(PlaybookSchema) }) },
      },
    },
    async (request) => ({ data: await playbookOps.listPlaybooks(ctxOf(desk, request)) }),
  );
};
