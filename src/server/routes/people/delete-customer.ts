import { deleteCustomer } from '../../../people/delete-customer.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/customers/:id` */
export const deleteCustomerRoute: Route = (app, desk) => {
  app.delete(
    '/customers/:id',
    { config: { access: ADMIN }, schema: { tags: ['customers'], summary: 'Delete a customer', params: Params } },
    async (request, reply) => {
      await deleteCustomer(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    },
  );
};
