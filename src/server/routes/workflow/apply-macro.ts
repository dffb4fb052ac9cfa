import { z } from 'zod';
import { DeskmindError } from '../../../domain/errors.js';
import { IdSchema, MessageSchema, TicketSchema } from '../../../domain/schemas.js';
import { applyMacro } from '../../../tickets/macros.js';
import { STAFF, principalOf, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/tickets/:id/macros/:macroId` */
export const applyMacroRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/macros/:macroId',
    {
      config: { access: STAFF },
      schema: {
        tags: ['workflow'],
        summary: 'Fill a macro in for this ticket; with send: true post it as your reply',
        params: z.object({ id: IdSchema, macroId: IdSchema }).strict(),
        body: z.object({ send: z.boolean().default(false) }).strict(),
        response: { 200: z.object({ text: z.string(), ticket: TicketSchema, message: MessageSchema.nullable() }) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (request.body.send && p.kind !== 'agent')
        throw new DeskmindError('forbidden', 'Only a logged-in agent sends a macro as their reply');
      return applyMacro(ctxOf(desk, request), request.params.id, request.params.macroId, { send: request.body.send });
    },
  );
};
