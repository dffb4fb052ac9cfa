import { TicketPatchSchema, TicketSchema } from '../../../domain/schemas.js';
import { queueLearning } from '../../../jobs/learn.js';
import { editTicket } from '../../../tickets/edit-ticket.js';
import { STAFF, principalOf, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/tickets/:id` */
export const updateTicketRoute: Route = (app, desk) => {
  app.patch(
    '/tickets/:id',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: 'Change status, priority, assignee, team, intent, tags or subject',
        params: Params,
        body: TicketPatchSchema,
        response: { 200: TicketSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const ticket = await editTicket(ctxOf(desk, request), request.params.id, request.body);
      // A person labelled, relabelled or confirmed the intent: the model learns from it, online.
      if (request.body.intent) await queueLearning(desk, principal.workspaceId, ticket.id);
      return ticket;
    },
  );
};
