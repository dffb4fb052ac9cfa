import { z } from 'zod';
import * as ruleOps from '../../../routing/rules.js';
import { RoutingRuleSchema } from '../../../routing/schemas.js';
import { STAFF, principalOf, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/routing/rules` */
export const listRulesRoute: Route = (app, desk) => {
  // ── rules
  app.get(
    '/routing/rules',
    {
      config: { access: STAFF },
      schema: {
        tags: ['routing'],
        summary: 'Routing rules in evaluation order',
        response: { 200: z.object({ data: z.array(RoutingRuleSchema) }) },
      },
    },
    async (request) => ({ data: await ruleOps.listRules(ctxOf(desk, request).db, principalOf(request).workspaceId) }),
  );
};
