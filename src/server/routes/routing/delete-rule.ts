import * as ruleOps from '../../../routing/rules.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/routing/rules/:id` */
export const deleteRuleRoute: Route = (app, desk) => {
  app.delete(
    '/routing/rules/:id',
    { config: { access: ADMIN }, schema: { tags: ['routing'], summary: 'Delete a routing rule', params: Params } },
    async (request, reply) => {
      await ruleOps.deleteRule(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    },
  );
};
