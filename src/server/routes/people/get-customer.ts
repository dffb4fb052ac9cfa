import { CustomerSchema } from '../../../domain/schemas.js';
import { getCustomer } from '../../../people/get-customer.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/customers/:id` */
export const getCustomerRoute: Route = (app, desk) => {
  app.get(
    '/customers/:id',
    {
      config: { access: STAFF },
      schema: { tags: ['customers'], summary: 'A customer', params: Params, response: { 200: CustomerSchema } },
    },
    async (request) => getCustomer(ctxOf(desk, request), request.params.id),
  );
};
