import { CustomerSchema, PageSchema } from '../../../domain/schemas.js';
import { listCustomers } from '../../../people/list-customers.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { ListQuery, pageOf } from './shared.js';

/** `GET /api/v1/customers` */
export const listCustomersRoute: Route = (app, desk) => {
  app.get(
    '/customers',
    {
      config: { access: STAFF },
      schema: {
        tags: ['customers'],
        summary: 'List customers',
        querystring: ListQuery,
        response: { 200: PageSchema(CustomerSchema) },
      },
    },
    async (request) =>
      pageOf(
        await listCustomers(ctxOf(desk, request), {
          limit: request.query.limit,
          after: request.query.cursor,
        }),
        request.query.limit,
      ),
  );
};
