import { z } from 'zod';
import { DeskmindError } from '../../../domain/errors.js';
import { TicketSchema } from '../../../domain/schemas.js';
import { claimTicket } from '../../../tickets/claim-ticket.js';
import { STAFF, principalOf, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/tickets/:id/claim` */
export const claimTicketRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/claim',
    {
      config: { access: STAFF },
      schema: {
        tags: ['workflow'],
        summary: 'Take the ticket (a session claims for its agent; a key names agentId)',
        params: Params,
        body: z.object({ agentId: z.uuid().optional() }).strict(),
        response: { 200: TicketSchema },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const agentId = p.kind === 'agent' ? p.agentId : request.body.agentId;
      if (!agentId)
        throw new DeskmindError('validation_failed', 'agentId is required with an API key', {
          issues: [{ path: 'agentId', message: 'required' }],
        });
      return claimTicket(ctxOf(desk, request), request.params.id, agentId);
    },
  );
};
