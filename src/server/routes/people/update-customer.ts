import { CustomerPatchSchema, CustomerSchema } from '../../../domain/schemas.js';
import { updateCustomer } from '../../../people/update-customer.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/customers/:id` */
export const updateCustomerRoute: Route = (app, desk) => {
  app.patch(
    '/customers/:id',
    {
      config: { access: STAFF },
      schema: {
        tags: ['customers'],
        summary: 'Change a customer',
        params: Params,
        body: CustomerPatchSchema,
        response: { 200: CustomerSchema },
      },
    },
    async (request) => updateCustomer(ctxOf(desk, request), request.params.id, request.body),
  );
};
