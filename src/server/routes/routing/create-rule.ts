import * as ruleOps from '../../../routing/rules.js';
import { RoutingRuleInputSchema, RoutingRuleSchema } from '../../../routing/schemas.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/routing/rules` */
export const createRuleRoute: Route = (app, desk) => {
  app.post(
    '/routing/rules',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['routing'],
        summary: 'Create a routing rule',
        body: RoutingRuleInputSchema,
        response: { 201: RoutingRuleSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await ruleOps.createRule(ctxOf(desk, request), request.body)),
  );
};
