import { AccountSchema, PageSchema } from '../../../domain/schemas.js';
import { listAccounts } from '../../../people/list-accounts.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { ListQuery, pageOf } from './shared.js';

/** `GET /api/v1/accounts` */
export const listAccountsRoute: Route = (app, desk) => {
  app.get(
    '/accounts',
    {
      config: { access: STAFF },
      schema: {
        tags: ['accounts'],
        summary: 'List accounts',
        querystring: ListQuery,
        response: { 200: PageSchema(AccountSchema) },
      },
    },
    async (request) =>
      pageOf(
        await listAccounts(ctxOf(desk, request), {
          limit: request.query.limit,
          after: request.query.cursor,
        }),
        request.query.limit,
      ),
  );
};
