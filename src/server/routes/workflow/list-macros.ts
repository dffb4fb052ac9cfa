import { z } from 'zod';
import { listMacros, MacroSchema } from '../../../tickets/macros.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/macros` */
export const listMacrosRoute: Route = (app, desk) => {
  app.get(
    '/macros',
    {
      config: { access: STAFF },
      schema: {
        tags: ['workflow'],
        summary: 'Canned replies',
        response: { 200: z.object({ data: z.array(MacroSchema) }) },
      },
    },
    async (request) => ({ data: await listMacros(ctxOf(desk, request)) }),
  );
};
