import { CustomerInputSchema, CustomerSchema } from '../../../domain/schemas.js';
import { upsertCustomer } from '../../../people/upsert-customer.js';
import { ANY, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { ExternalParams } from './shared.js';

/** `PUT /api/v1/customers/by-external-id/:externalId` */
export const upsertCustomerRoute: Route = (app, desk) => {
  app.put(
    '/customers/by-external-id/:externalId',
    {
      config: { access: ANY },
      schema: {
        tags: ['customers'],
        summary: 'Create or update the customer with this external id',
        params: ExternalParams,
        body: CustomerInputSchema,
        response: { 200: CustomerSchema, 201: CustomerSchema },
      },
    },
    async (request, reply) => {
      const { customer, created } = await upsertCustomer(ctxOf(desk, request), {
        ...request.body,
        externalId: request.params.externalId,
      });
      return reply.code(created ? 201 : 200).send(customer);
    },
  );
};
