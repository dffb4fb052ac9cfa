import { explainRouting } from '../../../routing/presence.js';
import { RoutingDecisionSchema } from '../../../routing/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/tickets/:id/routing` */
export const explainRoutingRoute: Route = (app, desk) => {
  // ── explanation
  app.get(
    '/tickets/:id/routing',
    {
      config: { access: STAFF },
      schema: {
        tags: ['routing'],
        summary: 'How the router would route this ticket now, with every candidate and why (changes nothing)',
        params: Params,
        response: { 200: RoutingDecisionSchema },
      },
    },
    async (request) => explainRouting(ctxOf(desk, request), request.params.id),
  );
};
