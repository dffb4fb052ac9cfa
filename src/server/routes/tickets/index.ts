import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { DeskmindError } from '../../../domain/errors.js';
import {
  IdSchema,
  MessageInputSchema,
  MessageSchema,
  PageSchema,
  TicketCreateSchema,
  TicketDetailSchema,
  TicketListQuerySchema,
  TicketPatchSchema,
  TicketSchema,
} from '../../../domain/schemas.js';
import { approveDraft, getAutonomy, recordCustomerOutcome, recordDraftDiscarded, updateAutonomy } from '../../../tickets/controls.js';
import { appendEvent } from '../../../services/events.js';
import { applySla } from '../../../sla/state.js';
import { buildHandoffPacket, HandoffPacketSchema } from '../../../handoff/packet.js';
import { getTicket, getTicketDetail, listTickets, updateTicket } from '../../../tickets/tickets.js';
import { getWorkspace, rotateSigningSecret } from '../../../people/workspaces.js';
import { AutonomySettingsPatchSchema, AutonomySettingsSchema } from '../../../domain/settings.js';
import { ADMIN, ANY, STAFF, actorOf, ctxOf, principalOf, txOf, dbOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();
const TicketWithMessage = z.object({ ticket: TicketSchema, message: MessageSchema });

/** Tickets and their conversations. */
export const ticketRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.post('/tickets', {
    config: { access: ANY },
    schema: {
      tags: ['tickets'],
      summary: 'Open a ticket with its first customer message',
      description: 'The customer is found by id, email or external id, or created. The ticket pipeline (enrich, understand, decide) runs in the background.',
      body: TicketCreateSchema,
      response: { 201: TicketWithMessage },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const result = await desk.createTicket(principal.workspaceId, actorOf(principal), request.body, { idempotency: request.idempotency });
    request.idempotency = null; // its response was stored with the ticket
    return reply.code(201).send(result);
  });

  app.get('/tickets', {
    config: { access: STAFF },
    schema: {
      tags: ['tickets'],
      summary: 'List tickets, newest first, with filters and full-text search',
      querystring: TicketListQuerySchema,
      response: { 200: PageSchema(TicketSchema) },
    },
  }, async (request) => listTickets(ctxOf(desk, request), request.query));

  app.get('/tickets/:id', {
    config: { access: STAFF },
    schema: { tags: ['tickets'], summary: 'A ticket with its messages, timeline and decision record', params: Params, response: { 200: TicketDetailSchema } },
  }, async (request) => getTicketDetail(ctxOf(desk, request), request.params.id));

  app.patch('/tickets/:id', {
    config: { access: STAFF },
    schema: { tags: ['tickets'], summary: 'Change status, priority, assignee, team, intent, tags or subject', params: Params, body: TicketPatchSchema, response: { 200: TicketSchema } },
  }, async (request) => {
    const principal = principalOf(request);
    const ticket = await txOf(desk, request, async (ctx) => {
      const updated = await updateTicket(ctx, request.params.id, request.body);
      if (request.body.priority) await applySla(ctx, updated.id); // new priority, new targets
      return getTicket(ctx, updated.id);
    });
    // A person labelled, relabelled or confirmed the intent: the model learns from it, online.
    if (request.body.intent) await desk.queueLearning(principal.workspaceId, ticket.id);
    return ticket;
  });

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

  app.post('/tickets/:id/feedback', {
    config: { access: ANY },
    schema: {
      tags: ['tickets'],
      summary: "The customer's controls: \"this solved it\" or \"I need a human\"",
      description: '`need_human` reopens the ticket for a person; the assistant never answers it again.',
      params: Params,
      body: z.object({ outcome: z.enum(['solved', 'need_human']) }).strict(),
      response: { 200: TicketSchema },
    },
  }, async (request) => {
    const ticket = await txOf(desk, request, (ctx) => recordCustomerOutcome(ctx, request.params.id, request.body.outcome));
    return ticket;
  });

  app.post('/tickets/:id/draft/approve', {
    config: { access: STAFF },
    schema: {
      tags: ['tickets'],
      summary: "Send the assistant's drafted reply (shadow mode), optionally edited",
      params: Params,
      body: z.object({ text: z.string().max(100_000).optional() }).strict(),
      response: { 200: TicketSchema },
    },
  }, async (request) => {
    return txOf(desk, request, (ctx) => approveDraft(ctx, request.params.id, request.body.text));
  });

  app.get('/tickets/:id/handoff', {
    config: { access: STAFF },
    schema: {
      tags: ['tickets'],
      summary: 'The handoff packet: summary, what was tried, what the AI said, intent, sentiment trend, customer card, similar resolved tickets, suggested reply',
      params: Params,
      response: { 200: HandoffPacketSchema },
    },
  }, async (request) => buildHandoffPacket(ctxOf(desk, request), request.params.id, { llm: desk.llm }));

  app.post('/tickets/:id/replay', {
    config: { access: STAFF },
    schema: {
      tags: ['tickets'],
      summary: 'Decide the ticket again with the current models and settings, changing nothing',
      description: 'Runs enrich, understand, retrieve and decide without replying, calling actions or writing; compare with the stored decision record.',
      params: Params,
      response: { 200: z.object({ runId: z.string(), failedStage: z.string().nullable(), records: z.array(z.object({ stage: z.string(), ok: z.boolean(), result: z.record(z.string(), z.unknown()), modelVersion: z.string().nullish(), durationMs: z.number().optional() })) }) },
    },
  }, async (request) => {
    const principal = principalOf(request);
    await getTicket(ctxOf(desk, request), request.params.id);
    const run = await desk.replayDecision(principal.workspaceId, request.params.id);
    return { runId: run.runId, failedStage: run.failedStage, records: run.records };
  });

  const Secret = z.object({ signingSecret: z.string() });
  app.get('/settings/signing-secret', {
    config: { access: ADMIN },
    schema: { tags: ['settings'], summary: 'The secret that signs playbook action calls to your backend', response: { 200: Secret } },
  }, async (request) => ({ signingSecret: (await getWorkspace(dbOf(desk, request), principalOf(request).workspaceId)).signingSecret }));

  app.post('/settings/signing-secret/rotate', {
    config: { access: ADMIN },
    schema: { tags: ['settings'], summary: 'Replace the action signing secret', response: { 200: Secret } },
  }, async (request) => {
    const principal = principalOf(request);
    const signingSecret = await rotateSigningSecret(dbOf(desk, request), principal.workspaceId);
    await txOf(desk, request, (ctx) => appendEvent(ctx, 'settings.changed', null, { section: 'signing_secret', rotated: true }));
    return { signingSecret };
  });

  app.get('/settings/autonomy', {
    config: { access: STAFF },
    schema: { tags: ['settings'], summary: 'When the assistant may answer alone: thresholds and guardrails', response: { 200: AutonomySettingsSchema } },
  }, async (request) => getAutonomy(ctxOf(desk, request)));

  app.patch('/settings/autonomy', {
    config: { access: ADMIN },
    schema: { tags: ['settings'], summary: 'Change autonomy settings (logged with the old and new values)', body: AutonomySettingsPatchSchema, response: { 200: AutonomySettingsSchema } },
  }, async (request) => {
    return txOf(desk, request, (ctx) => updateAutonomy(ctx, request.body));
  });
};
