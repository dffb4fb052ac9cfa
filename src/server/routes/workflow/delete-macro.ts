import { deleteMacro } from '../../../tickets/macros.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/macros/:id` */
export const deleteMacroRoute: Route = (app, desk) => {
  app.delete(
    '/macros/:id',
    { config: { access: ADMIN }, schema: { tags: ['workflow'], summary: 'Remove a canned reply', params: Params } },
    async (request, reply) => {
      await deleteMacro(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    },
  );
};
