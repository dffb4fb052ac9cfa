import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';
import { accountBilling } from '../../../connectors/stripe.js';
import { BillingFactsSchema } from '../../../domain/stage-results.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { IntegrationRoute } from './types.js';

const Params = z.object({ id: IdSchema }).strict();

/** `GET /accounts/:id/billing`: the billing state Stripe webhooks left. */
export const getAccountBilling: IntegrationRoute = (app, desk) => {
  app.get(
    '/accounts/:id/billing',
    {
      config: { access: STAFF },
      schema: {
        tags: ['integrations'],
        summary: "The account's billing state as Stripe webhooks left it (null when unknown)",
        params: Params,
        response: { 200: z.object({ billing: BillingFactsSchema.nullable() }) },
      },
    },
    async (request) => {
      return { billing: await accountBilling(ctxOf(desk, request), request.params.id) };
    },
  );
};
