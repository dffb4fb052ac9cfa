import { buildHandoffPacket, HandoffPacketSchema } from '../../../handoff/packet.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/tickets/:id/handoff` */
export const getHandoffRoute: Route = (app, desk) => {
  app.get(
    '/tickets/:id/handoff',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary:
          'The handoff packet: summary, what was tried, what the AI said, intent, sentiment trend, customer card, ' +
          'similar resolved tickets, suggested reply',
        params: Params,
        response: { 200: HandoffPacketSchema },
      },
    },
    async (request) => buildHandoffPacket(ctxOf(desk, request), request.params.id, { llm: desk.llm }),
  );
};
