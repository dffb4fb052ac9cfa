import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { DeskmindError } from '../../../domain/errors.js';
import { IdSchema, MessageSchema, TicketSchema } from '../../../domain/schemas.js';
import { applyMacro, claimTicket, createMacro, deleteMacro, listMacros, MacroInputSchema, MacroSchema, markAiAnswer, mergeTickets } from '../../../tickets/workflow.js';
import { ADMIN, STAFF, ctxOf, principalOf, txOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();

/** The agent's workflow beyond replies: claim, macros, merge duplicates, verdicts on AI answers. */
export const workflowRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  const tx = <T>(request: Parameters<typeof principalOf>[0], fn: Parameters<typeof desk.tx<T>>[2]) => txOf(desk, request, fn);

  app.post('/tickets/:id/claim', {
    config: { access: STAFF },
    schema: { tags: ['workflow'], summary: 'Take the ticket (a session claims for its agent; a key names agentId)', params: Params, body: z.object({ agentId: z.uuid().optional() }).strict(), response: { 200: TicketSchema } },
  }, async (request) => {
    const p = principalOf(request);
    const agentId = p.kind === 'agent' ? p.agentId : request.body.agentId;
    if (!agentId) throw new DeskmindError('validation_failed', 'agentId is required with an API key', { issues: [{ path: 'agentId', message: 'required' }] });
    return tx(request, (ctx) => claimTicket(ctx, request.params.id, agentId));
  });

  app.post('/tickets/:id/merge', {
    config: { access: STAFF },
    schema: { tags: ['workflow'], summary: 'Merge this duplicate into another ticket (messages move, this one closes)', params: Params, body: z.object({ into: z.uuid() }).strict(), response: { 200: TicketSchema } },
  }, async (request) => tx(request, (ctx) => mergeTickets(ctx, request.params.id, request.body.into)));

  app.post('/tickets/:id/ai-feedback', {
    config: { access: STAFF },
    schema: {
      tags: ['workflow'],
      summary: "Mark the assistant's answer good or wrong (a wrong answer lowers its articles' usefulness)",
      params: Params,
      body: z.object({ verdict: z.enum(['good', 'wrong']), note: z.string().max(2000).optional() }).strict(),
      response: { 200: z.object({ verdict: z.string(), articles: z.array(z.string()), outcomes: z.number() }) },
    },
  }, async (request) => tx(request, (ctx) => markAiAnswer(ctx, request.params.id, request.body.verdict, request.body.note)));

  app.get('/macros', { config: { access: STAFF }, schema: { tags: ['workflow'], summary: 'Canned replies', response: { 200: z.object({ data: z.array(MacroSchema) }) } } },
    async (request) => ({ data: await listMacros(ctxOf(desk, request)) }));
  app.post('/macros', { config: { access: ADMIN }, schema: { tags: ['workflow'], summary: 'Add a canned reply ({{customer.firstName}}, {{account.plan}}, {{ticket.subject}} …)', body: MacroInputSchema, response: { 201: MacroSchema } } },
    async (request, reply) => reply.code(201).send(await tx(request, (ctx) => createMacro(ctx, request.body))));
  app.delete('/macros/:id', { config: { access: ADMIN }, schema: { tags: ['workflow'], summary: 'Remove a canned reply', params: Params } },
    async (request, reply) => {
      await tx(request, (ctx) => deleteMacro(ctx, request.params.id));
      return reply.code(204).send();
    });
  app.post('/tickets/:id/macros/:macroId', {
    config: { access: STAFF },
    schema: {
      tags: ['workflow'],
      summary: 'Fill a macro in for this ticket; with send: true post it as your reply',
      params: z.object({ id: IdSchema, macroId: IdSchema }).strict(),
      body: z.object({ send: z.boolean().default(false) }).strict(),
      response: { 200: z.object({ text: z.string(), ticket: TicketSchema, message: MessageSchema.nullable() }) },
    },
  }, async (request) => {
    const p = principalOf(request);
    if (request.body.send && p.kind !== 'agent') throw new DeskmindError('forbidden', 'Only a logged-in agent sends a macro as their reply');
    return tx(request, (ctx) => applyMacro(ctx, request.params.id, request.params.macroId, { send: request.body.send }));
  });
};
