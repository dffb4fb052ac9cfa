import { TicketCreateSchema } from '../../../domain/schemas.js';
import { ANY, actorOf, principalOf } from '../../auth.js';
import type { Route } from '../route.js';
import { TicketWithMessage } from './shared.js';

/** `POST /api/v1/tickets` */
export const createTicketRoute: Route = (app, desk) => {
  app.post(
    '/tickets',
    {
      config: { access: ANY },
      schema: {
        tags: ['tickets'],
        summary: 'Open a ticket with its first customer message',
        description:
          'The customer is found by id, email or external id, or created. The ticket pipeline (enrich, ' +
          'understand, decide) runs in the background.',
        body: TicketCreateSchema,
        response: { 201: TicketWithMessage },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await desk.createTicket(principal.workspaceId, actorOf(principal), request.body, {
        idempotency: request.idempotency,
      });
      request.idempotency = null; // its response was stored with the ticket
      return reply.code(201).send(result);
    },
  );
};
