import { createMacro, MacroInputSchema, MacroSchema } from '../../../tickets/macros.js';
import { ADMIN, principalOf, txOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/macros` */
export const createMacroRoute: Route = (app, desk) => {
  const tx = <T>(request: Parameters<typeof principalOf>[0], fn: Parameters<typeof desk.tx<T>>[2]) => txOf(desk, request, fn);
  app.post('/macros', { config: { access: ADMIN }, schema: { tags: ['workflow'], summary: 'Add a canned reply ({{customer.firstName}}, {{account.plan}}, {{ticket.subject}} …)', body: MacroInputSchema, response: { 201: MacroSchema } } },
    async (request, reply) => reply.code(201).send(await tx(request, (ctx) => createMacro(ctx, request.body))));
};
