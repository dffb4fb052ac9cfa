import { CustomerInputSchema, CustomerSchema } from '../../../domain/schemas.js';
import { createCustomer } from '../../../people/create-customer.js';
import { ANY, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/customers` */
export const createCustomerRoute: Route = (app, desk) => {
  // ── customers
  app.post(
    '/customers',
    {
      config: { access: ANY },
      schema: {
        tags: ['customers'],
        summary: 'Create a customer (person)',
        body: CustomerInputSchema,
        response: { 201: CustomerSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createCustomer(ctxOf(desk, request), request.body)),
  );
};
