import { createMacro, MacroInputSchema, MacroSchema } from '../../../tickets/macros.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/macros` */
export const createMacroRoute: Route = (app, desk) => {
  app.post(
    '/macros',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['workflow'],
        summary: 'Add a canned reply ({{customer.firstName}}, {{account.plan}}, {{ticket.subject}} …)',
        body: MacroInputSchema,
        response: { 201: MacroSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createMacro(ctxOf(desk, request), request.body)),
  );
};
