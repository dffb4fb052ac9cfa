import { AccountSchema } from '../../../domain/schemas.js';
import { getAccount } from '../../../people/get-account.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/accounts/:id` */
export const getAccountRoute: Route = (app, desk) => {
  app.get(
    '/accounts/:id',
    {
      config: { access: STAFF },
      schema: { tags: ['accounts'], summary: 'An account', params: Params, response: { 200: AccountSchema } },
    },
    async (request) => getAccount(ctxOf(desk, request), request.params.id),
  );
};
