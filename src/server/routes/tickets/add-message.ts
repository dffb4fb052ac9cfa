import { DeskmindError } from '../../../domain/errors.js';
import { MessageInputSchema } from '../../../domain/schemas.js';
import { recordDraftDiscarded } from '../../../tickets/record-draft-discarded.js';
import { getTicket } from '../../../tickets/get-ticket.js';
import { ANY, actorOf, ctxOf, principalOf, txOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params, TicketWithMessage } from './shared.js';

/** `POST /api/v1/tickets/:id/messages` */
export const addMessageRoute: Route = (app, desk) => {
  app.post('/tickets/:id/messages', {
    config: { access: ANY },
    schema: {
      tags: ['tickets'],
      summary: 'Add a message: a customer reply, an agent reply or an internal note',
      description: 'Sessions write as their agent. API keys write as the customer unless authorType says otherwise; ingest keys write only as the customer.',
      params: Params,
      body: MessageInputSchema,
      response: { 201: TicketWithMessage },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body;
    let author: { type: 'customer' | 'agent' | 'assistant' | 'system'; id: string | null };
    if (principal.kind === 'agent') {
      if (body.authorType && body.authorType !== 'agent') throw new DeskmindError('forbidden', 'A session writes as its agent');
      author = { type: 'agent', id: principal.agentId };
    } else {
      const type = body.authorType ?? 'customer';
      if (principal.role === 'ingest' && type !== 'customer') throw new DeskmindError('forbidden', 'An ingest key writes customer messages only');
      if ((type === 'assistant' || type === 'system') && principal.role !== 'admin') throw new DeskmindError('forbidden', 'Only admin keys write as the assistant or system');
      author = { type, id: body.authorId ?? null };
    }
    if (author.type === 'customer' && principal.kind === 'api_key') {
      // A customer message on a ticket is its customer's.
      author.id = (await getTicket(ctxOf(desk, request), request.params.id)).customerId;
    }
    const result = await desk.addMessage(principal.workspaceId, actorOf(principal), request.params.id, body, author);
    if (author.type === 'agent' && body.visibility === 'public') {
      await txOf(desk, request, (ctx) => recordDraftDiscarded(ctx, request.params.id));
    }
    return reply.code(201).send(result);
  });
};
