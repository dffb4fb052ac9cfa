import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { AGENT_STATUSES } from '../../../domain/enums.js';
import { DeskmindError } from '../../../domain/errors.js';
import { AgentSchema, IdSchema } from '../../../domain/schemas.js';
import { explainRouting, setPresence } from '../../../routing/presence.js';
import * as ruleOps from '../../../routing/rules.js';
import { RoutingDecisionSchema, RoutingRuleInputSchema, RoutingRulePatchSchema, RoutingRuleSchema } from '../../../routing/schemas.js';
import { RoutingSettingsPatchSchema, RoutingSettingsSchema } from '../../../routing/settings.js';
import { getRoutingSettings, updateRoutingSettings } from '../../../routing/workspace-settings.js';
import type { Ctx } from '../../../store/ctx.js';
import { ADMIN, STAFF, ctxOf, principalOf, txOf, dbOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();
const PresenceBody = z.object({ status: z.enum(AGENT_STATUSES) }).strict();
const Reassigned = z.object({ ticketId: z.uuid(), teamId: z.uuid().nullable(), agentId: z.uuid().nullable(), why: z.string() });
const PresenceReply = z.object({
  agent: AgentSchema,
  redistributed: z.array(Reassigned),
  /** Tickets waiting in the agent's teams' queues that coming online assigned (to them or a teammate). */
  assigned: z.array(Reassigned),
});

/** Routing rules and settings, the routing explanation of a ticket, and agent presence. */
export const routingRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  const inTx = <T>(request: FastifyRequest, fn: (ctx: Ctx) => Promise<T>) => txOf(desk, request, fn);

  // ── rules
  app.get('/routing/rules', { config: { access: STAFF }, schema: { tags: ['routing'], summary: 'Routing rules in evaluation order', response: { 200: z.object({ data: z.array(RoutingRuleSchema) }) } } },
    async (request) => ({ data: await ruleOps.listRules(dbOf(desk, request), principalOf(request).workspaceId) }));
  app.post('/routing/rules', { config: { access: ADMIN }, schema: { tags: ['routing'], summary: 'Create a routing rule', body: RoutingRuleInputSchema, response: { 201: RoutingRuleSchema } } },
    async (request, reply) => reply.code(201).send(await inTx(request, (ctx) => ruleOps.createRule(ctx, request.body))));
  app.get('/routing/rules/:id', { config: { access: STAFF }, schema: { tags: ['routing'], summary: 'A routing rule', params: Params, response: { 200: RoutingRuleSchema } } },
    async (request) => ruleOps.getRule(ctxOf(desk, request), request.params.id));
  app.patch('/routing/rules/:id', { config: { access: ADMIN }, schema: { tags: ['routing'], summary: 'Change a routing rule', params: Params, body: RoutingRulePatchSchema, response: { 200: RoutingRuleSchema } } },
    async (request) => inTx(request, (ctx) => ruleOps.updateRule(ctx, request.params.id, request.body)));
  app.delete('/routing/rules/:id', { config: { access: ADMIN }, schema: { tags: ['routing'], summary: 'Delete a routing rule', params: Params } },
    async (request, reply) => {
      await ruleOps.deleteRule(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    });

  // ── settings
  app.get('/routing/settings', { config: { access: STAFF }, schema: { tags: ['routing'], summary: 'Routing settings', response: { 200: RoutingSettingsSchema } } },
    async (request) => getRoutingSettings(ctxOf(desk, request)));
  app.patch('/routing/settings', { config: { access: ADMIN }, schema: { tags: ['routing'], summary: 'Change routing settings (logged with the old and new values)', body: RoutingSettingsPatchSchema, response: { 200: RoutingSettingsSchema } } },
    async (request) => inTx(request, (ctx) => updateRoutingSettings(ctx, request.body)));

  // ── explanation
  app.get('/tickets/:id/routing', { config: { access: STAFF }, schema: { tags: ['routing'], summary: 'How the router would route this ticket now, with every candidate and why (changes nothing)', params: Params, response: { 200: RoutingDecisionSchema } } },
    async (request) => explainRouting(ctxOf(desk, request), request.params.id));

  // ── presence
  app.post('/agents/:id/presence', {
    config: { access: STAFF },
    schema: { tags: ['agents'], summary: "Set an agent's presence; going offline hands their open tickets back to their teams, coming online takes tickets waiting in their teams' queues (agents: own presence only)", params: Params, body: PresenceBody, response: { 200: PresenceReply } },
  }, async (request) => {
    const principal = principalOf(request);
    const own = principal.kind === 'agent' && principal.agentId === request.params.id;
    if (principal.role !== 'admin' && !own) throw new DeskmindError('forbidden', 'Agents may set only their own presence');
    return inTx(request, (ctx) => setPresence(ctx, request.params.id, request.body.status));
  });
};
