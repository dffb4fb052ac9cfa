import { MessageInputSchema } from '../../../domain/schemas.js';
import { messageAuthor } from '../../../tickets/message-author.js';
import { ANY, actorOf, ctxOf, principalOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params, TicketWithMessage } from './shared.js';

/** `POST /api/v1/tickets/:id/messages` */
export const addMessageRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/messages',
    {
      config: { access: ANY },
      schema: {
        tags: ['tickets'],
        summary: 'Add a message: a customer reply, an agent reply or an internal note',
        description:
          'Sessions write as their agent. API keys write as the customer unless authorType says otherwise; ingest ' +
          'keys write only as the customer.',
        params: Params,
        body: MessageInputSchema,
        response: { 201: TicketWithMessage },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const author = await messageAuthor(ctxOf(desk, request), principal, request.params.id, body);
      const result = await desk.addMessage(principal.workspaceId, actorOf(principal), request.params.id, body, author);
      return reply.code(201).send(result);
    },
  );
};
