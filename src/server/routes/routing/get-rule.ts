import * as ruleOps from '../../../routing/rules.js';
import { RoutingRuleSchema } from '../../../routing/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/routing/rules/:id` */
export const getRuleRoute: Route = (app, desk) => {
  app.get(
    '/routing/rules/:id',
    {
      config: { access: STAFF },
      schema: { tags: ['routing'], summary: 'A routing rule', params: Params, response: { 200: RoutingRuleSchema } },
    },
    async (request) => ruleOps.getRule(ctxOf(desk, request), request.params.id),
  );
};
