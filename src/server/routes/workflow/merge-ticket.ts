import { z } from 'zod';
import { TicketSchema } from '../../../domain/schemas.js';
import { mergeTickets } from '../../../tickets/merge-tickets.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/tickets/:id/merge` */
export const mergeTicketRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/merge',
    {
      config: { access: STAFF },
      schema: {
        tags: ['workflow'],
        summary: 'Merge this duplicate into another ticket (messages move, this one closes)',
        params: Params,
        body: z.object({ into: z.uuid() }).strict(),
        response: { 200: TicketSchema },
      },
    },
    async (request) => mergeTickets(ctxOf(desk, request), request.params.id, request.body.into),
  );
};
