import * as ruleOps from '../../../routing/rules.js';
import { RoutingRulePatchSchema, RoutingRuleSchema } from '../../../routing/schemas.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/routing/rules/:id` */
export const updateRuleRoute: Route = (app, desk) => {
  app.patch(
    '/routing/rules/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['routing'],
        summary: 'Change a routing rule',
        params: Params,
        body: RoutingRulePatchSchema,
        response: { 200: RoutingRuleSchema },
      },
    },
    async (request) => ruleOps.updateRule(ctxOf(desk, request), request.params.id, request.body),
  );
};
