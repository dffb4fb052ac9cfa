import { z } from 'zod';
import { TicketSchema } from '../../../domain/schemas.js';
import { approveDraft } from '../../../tickets/approve-draft.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/tickets/:id/draft/approve` */
export const approveDraftRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/draft/approve',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: "Send the assistant's drafted reply (shadow mode), optionally edited",
        params: Params,
        body: z.object({ text: z.string().max(100_000).optional() }).strict(),
        response: { 200: TicketSchema },
      },
    },
    async (request) => {
      return approveDraft(ctxOf(desk, request), request.params.id, request.body.text);
    },
  );
};
