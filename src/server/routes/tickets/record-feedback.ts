import { z } from 'zod';
import { TicketSchema } from '../../../domain/schemas.js';
import { recordCustomerOutcome } from '../../../tickets/record-customer-outcome.js';
import { ANY, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/tickets/:id/feedback` */
export const recordFeedbackRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/feedback',
    {
      config: { access: ANY },
      schema: {
        tags: ['tickets'],
        summary: 'The customer\'s controls: "this solved it" or "I need a human"',
        description: '`need_human` reopens the ticket for a person; the assistant never answers it again.',
        params: Params,
        body: z.object({ outcome: z.enum(['solved', 'need_human']) }).strict(),
        response: { 200: TicketSchema },
      },
    },
    async (request) => {
      const ticket = await recordCustomerOutcome(ctxOf(desk, request), request.params.id, request.body.outcome);
      return ticket;
    },
  );
};
