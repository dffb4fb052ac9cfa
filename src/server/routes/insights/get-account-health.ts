import { z } from 'zod';
import { accountHealth, AccountHealthSchema, HealthQuerySchema } from '../../../insights/health.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/insights/health` */
export const getAccountHealthRoute: Route = (app, desk) => {
  app.get(
    '/insights/health',
    {
      config: { access: STAFF },
      schema: {
        tags: ['insights'],
        summary:
          'Customer health per account with churn-risk flags and reasons, riskiest and most revenue at stake first',
        querystring: HealthQuerySchema,
        response: { 200: z.object({ data: z.array(AccountHealthSchema) }) },
      },
    },
    async (request) => ({ data: await accountHealth(ctxOf(desk, request), request.query) }),
  );
};
