import type { FastifyRequest } from 'fastify';
import * as ruleOps from '../../../routing/rules.js';
import { RoutingRulePatchSchema, RoutingRuleSchema } from '../../../routing/schemas.js';
import type { Ctx } from '../../../store/ctx.js';
import { ADMIN, txOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/routing/rules/:id` */
export const updateRuleRoute: Route = (app, desk) => {
  const inTx = <T>(request: FastifyRequest, fn: (ctx: Ctx) => Promise<T>) => txOf(desk, request, fn);
  app.patch('/routing/rules/:id', { config: { access: ADMIN }, schema: { tags: ['routing'], summary: 'Change a routing rule', params: Params, body: RoutingRulePatchSchema, response: { 200: RoutingRuleSchema } } },
    async (request) => inTx(request, (ctx) => ruleOps.updateRule(ctx, request.params.id, request.body)));
};
