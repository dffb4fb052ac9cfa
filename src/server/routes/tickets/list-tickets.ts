import { PageSchema, TicketListQuerySchema, TicketSchema } from '../../../domain/schemas.js';
import { listTickets } from '../../../tickets/list-tickets.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/tickets` */
export const listTicketsRoute: Route = (app, desk) => {
  app.get(
    '/tickets',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: 'List tickets, newest first, with filters and full-text search',
        querystring: TicketListQuerySchema,
        response: { 200: PageSchema(TicketSchema) },
      },
    },
    async (request) => listTickets(ctxOf(desk, request), request.query),
  );
};
