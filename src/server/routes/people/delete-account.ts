import { deleteAccount } from '../../../people/delete-account.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/accounts/:id` */
export const deleteAccountRoute: Route = (app, desk) => {
  app.delete(
    '/accounts/:id',
    { config: { access: ADMIN }, schema: { tags: ['accounts'], summary: 'Delete an account', params: Params } },
    async (request, reply) => {
      await deleteAccount(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    },
  );
};
