import { deleteMacro } from '../../../tickets/macros.js';
import { ADMIN, principalOf, txOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/macros/:id` */
export const deleteMacroRoute: Route = (app, desk) => {
  const tx = <T>(request: Parameters<typeof principalOf>[0], fn: Parameters<typeof desk.tx<T>>[2]) => txOf(desk, request, fn);
  app.delete('/macros/:id', { config: { access: ADMIN }, schema: { tags: ['workflow'], summary: 'Remove a canned reply', params: Params } },
    async (request, reply) => {
      await tx(request, (ctx) => deleteMacro(ctx, request.params.id));
      return reply.code(204).send();
    });
};
