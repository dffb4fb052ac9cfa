import { AccountPatchSchema, AccountSchema } from '../../../domain/schemas.js';
import { updateAccount } from '../../../people/update-account.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/accounts/:id` */
export const updateAccountRoute: Route = (app, desk) => {
  app.patch(
    '/accounts/:id',
    {
      config: { access: STAFF },
      schema: {
        tags: ['accounts'],
        summary: 'Change an account',
        params: Params,
        body: AccountPatchSchema,
        response: { 200: AccountSchema },
      },
    },
    async (request) => updateAccount(ctxOf(desk, request), request.params.id, request.body),
  );
};
