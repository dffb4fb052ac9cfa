import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';
import { CsatInputSchema } from '../../../learning/outcomes.js';
import { recordTicketCsat } from '../../../metrics/record-ticket-csat.js';
import { ANY, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

const Params = z.object({ id: IdSchema }).strict();

/** `POST /api/v1/tickets/:id/csat` */
export const recordCsatRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/csat',
    {
      config: { access: ANY },
      schema: {
        tags: ['tickets'],
        summary: "The customer's satisfaction rating (1..5)",
        params: Params,
        body: CsatInputSchema,
        response: { 201: z.object({ ticketId: z.string(), rating: z.number(), comment: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const result = await recordTicketCsat(ctxOf(desk, request), id, request.body.rating, request.body.comment);
      return reply.code(201).send(result);
    },
  );
};
