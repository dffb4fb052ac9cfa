import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';
import { CsatInputSchema, recordCsat } from '../../../learning/outcomes.js';
import { ANY, ctxOf } from '../../auth.js';
import { inTransaction } from '../../../store/ctx.js';
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
      const result = await inTransaction(ctxOf(desk, request), (ctx) =>
        recordCsat(ctx, request.params.id, request.body.rating, request.body.comment),
      );
      return reply.code(201).send(result);
    },
  );
};
