import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';
import { customerUsage } from '../../../connectors/usage.js';
import { UsageSummarySchema } from '../../../domain/stage-results.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { IntegrationRoute } from './types.js';

const Params = z.object({ id: IdSchema }).strict();

/** `GET /customers/:id/usage`: the customer's product usage summary. */
export const getCustomerUsage: IntegrationRoute = (app, desk) => {
  app.get(
    '/customers/:id/usage',
    {
      config: { access: STAFF },
      schema: {
        tags: ['integrations'],
        summary: "The customer's product usage: last seen, features used (30 days), recent errors (7 days)",
        params: Params,
        response: { 200: z.object({ usage: UsageSummarySchema.nullable() }) },
      },
    },
    async (request) => {
      return { usage: await customerUsage(ctxOf(desk, request), request.params.id) };
    },
  );
};
