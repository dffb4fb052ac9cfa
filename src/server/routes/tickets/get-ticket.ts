import { TicketDetailSchema } from '../../../domain/schemas.js';
import { getTicketDetail } from '../../../tickets/get-ticket.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/tickets/:id` */
export const getTicketRoute: Route = (app, desk) => {
  app.get(
    '/tickets/:id',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: 'A ticket with its messages, timeline and decision record',
        params: Params,
        response: { 200: TicketDetailSchema },
      },
    },
    async (request) => getTicketDetail(ctxOf(desk, request), request.params.id),
  );
};
