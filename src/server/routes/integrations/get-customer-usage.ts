import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';
import { summariseUsage } from '../../../connectors/usage.js';
import { UsageSummarySchema } from '../../../domain/stage-results.js';
import { getCustomer } from '../../../people/get-customer.js';
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
      const ctx = ctxOf(desk, request);
      const customer = await getCustomer(ctx, request.params.id);
      return { usage: await summariseUsage(ctx.db, ctx.workspaceId, customer.id, desk.now()) };
    },
  );
};
