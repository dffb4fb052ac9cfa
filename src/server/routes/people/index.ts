import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import {
  AccountInputSchema,
  AccountPatchSchema,
  AccountSchema,
  AgentInputSchema,
  AgentPatchSchema,
  AgentSchema,
  ApiKeyCreateSchema,
  ApiKeySchema,
  CustomerInputSchema,
  CustomerPatchSchema,
  CustomerSchema,
  IdSchema,
  PageSchema,
  TeamInputSchema,
  TeamPatchSchema,
  TeamSchema,
} from '../../../domain/schemas.js';
import * as accountOps from '../../../people/accounts.js';
import * as agentOps from '../../../people/agents.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../../people/auth.js';
import * as customerOps from '../../../people/customers.js';
import { setPresence } from '../../../routing/presence.js';
import { DeskmindError } from '../../../domain/errors.js';
import { ADMIN, ANY, STAFF, ctxOf, principalOf, txOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();
const ExternalParams = z.object({ externalId: z.string().min(1).max(200) }).strict();
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.uuid().optional() }).strict();
const pageOf = <T extends { id: string }>(rows: T[], limit: number) => ({ data: rows, nextCursor: rows.length === limit ? rows.at(-1)!.id : null });

/** Customers, accounts, agents, teams and API keys. */
export const peopleRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  // ── accounts
  app.post('/accounts', { config: { access: ANY }, schema: { tags: ['accounts'], summary: 'Create an account (company)', body: AccountInputSchema, response: { 201: AccountSchema } } },
    async (request, reply) => reply.code(201).send(await accountOps.createAccount(ctxOf(desk, request), request.body)));
  app.get('/accounts', { config: { access: STAFF }, schema: { tags: ['accounts'], summary: 'List accounts', querystring: ListQuery, response: { 200: PageSchema(AccountSchema) } } },
    async (request) => pageOf(await accountOps.listAccounts(ctxOf(desk, request), { limit: request.query.limit, after: request.query.cursor }), request.query.limit));
  app.get('/accounts/:id', { config: { access: STAFF }, schema: { tags: ['accounts'], summary: 'An account', params: Params, response: { 200: AccountSchema } } },
    async (request) => accountOps.getAccount(ctxOf(desk, request), request.params.id));
  app.patch('/accounts/:id', { config: { access: STAFF }, schema: { tags: ['accounts'], summary: 'Change an account', params: Params, body: AccountPatchSchema, response: { 200: AccountSchema } } },
    async (request) => accountOps.updateAccount(ctxOf(desk, request), request.params.id, request.body));
  app.delete('/accounts/:id', { config: { access: ADMIN }, schema: { tags: ['accounts'], summary: 'Delete an account', params: Params } },
    async (request, reply) => {
      await accountOps.deleteAccount(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    });
  app.put('/accounts/by-external-id/:externalId', {
    config: { access: ANY },
    schema: { tags: ['accounts'], summary: 'Create or update the account with this external id', params: ExternalParams, body: AccountInputSchema, response: { 200: AccountSchema, 201: AccountSchema } },
  }, async (request, reply) => {
    const { account, created } = await accountOps.upsertAccountByExternalId(ctxOf(desk, request), request.params.externalId, request.body);
    return reply.code(created ? 201 : 200).send(account);
  });

  // ── customers
  app.post('/customers', { config: { access: ANY }, schema: { tags: ['customers'], summary: 'Create a customer (person)', body: CustomerInputSchema, response: { 201: CustomerSchema } } },
    async (request, reply) => reply.code(201).send(await customerOps.createCustomer(ctxOf(desk, request), request.body)));
  app.get('/customers', { config: { access: STAFF }, schema: { tags: ['customers'], summary: 'List customers', querystring: ListQuery, response: { 200: PageSchema(CustomerSchema) } } },
    async (request) => pageOf(await customerOps.listCustomers(ctxOf(desk, request), { limit: request.query.limit, after: request.query.cursor }), request.query.limit));
  app.get('/customers/:id', { config: { access: STAFF }, schema: { tags: ['customers'], summary: 'A customer', params: Params, response: { 200: CustomerSchema } } },
    async (request) => customerOps.getCustomer(ctxOf(desk, request), request.params.id));
  app.patch('/customers/:id', { config: { access: STAFF }, schema: { tags: ['customers'], summary: 'Change a customer', params: Params, body: CustomerPatchSchema, response: { 200: CustomerSchema } } },
    async (request) => customerOps.updateCustomer(ctxOf(desk, request), request.params.id, request.body));
  app.delete('/customers/:id', { config: { access: ADMIN }, schema: { tags: ['customers'], summary: 'Delete a customer', params: Params } },
    async (request, reply) => {
      await customerOps.deleteCustomer(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    });
  app.put('/customers/by-external-id/:externalId', {
    config: { access: ANY },
    schema: { tags: ['customers'], summary: 'Create or update the customer with this external id', params: ExternalParams, body: CustomerInputSchema, response: { 200: CustomerSchema, 201: CustomerSchema } },
  }, async (request, reply) => {
    const { customer, created } = await customerOps.upsertCustomer(ctxOf(desk, request), { ...request.body, externalId: request.params.externalId });
    return reply.code(created ? 201 : 200).send(customer);
  });

  // ── agents
  app.post('/agents', { config: { access: ADMIN }, schema: { tags: ['agents'], summary: 'Create an agent', body: AgentInputSchema, response: { 201: AgentSchema } } },
    async (request, reply) => reply.code(201).send(await txOf(desk, request, (ctx) => agentOps.createAgent(ctx, request.body))));
  app.get('/agents', { config: { access: STAFF }, schema: { tags: ['agents'], summary: 'List agents', response: { 200: z.object({ data: z.array(AgentSchema) }) } } },
    async (request) => ({ data: await agentOps.listAgents(ctxOf(desk, request)) }));
  app.get('/agents/:id', { config: { access: STAFF }, schema: { tags: ['agents'], summary: 'An agent', params: Params, response: { 200: AgentSchema } } },
    async (request) => agentOps.getAgent(ctxOf(desk, request), request.params.id));
  app.patch('/agents/:id', { config: { access: STAFF }, schema: { tags: ['agents'], summary: 'Change an agent (agents may change only their own status)', params: Params, body: AgentPatchSchema, response: { 200: AgentSchema } } },
    async (request) => {
      const principal = principalOf(request);
      if (principal.role !== 'admin') {
        const own = principal.kind === 'agent' && principal.agentId === request.params.id;
        const onlyStatus = Object.keys(request.body).every((k) => k === 'status');
        if (!own || !onlyStatus) throw new DeskmindError('forbidden', 'Agents may change only their own status');
      }
      const { status, ...rest } = request.body;
      return txOf(desk, request, async (ctx) => {
        if (Object.keys(rest).length) await agentOps.updateAgent(ctx, request.params.id, rest);
        // Going offline hands the agent's open tickets to their teammates.
        if (status) return (await setPresence(ctx, request.params.id, status)).agent;
        return agentOps.getAgent(ctx, request.params.id);
      });
    });
  app.delete('/agents/:id', { config: { access: ADMIN }, schema: { tags: ['agents'], summary: 'Delete an agent', params: Params } },
    async (request, reply) => {
      await agentOps.deleteAgent(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    });

  // ── teams
  app.post('/teams', { config: { access: ADMIN }, schema: { tags: ['teams'], summary: 'Create a team', body: TeamInputSchema, response: { 201: TeamSchema } } },
    async (request, reply) => reply.code(201).send(await agentOps.createTeam(ctxOf(desk, request), request.body)));
  app.get('/teams', { config: { access: STAFF }, schema: { tags: ['teams'], summary: 'List teams', response: { 200: z.object({ data: z.array(TeamSchema) }) } } },
    async (request) => ({ data: await agentOps.listTeams(ctxOf(desk, request)) }));
  app.get('/teams/:id', { config: { access: STAFF }, schema: { tags: ['teams'], summary: 'A team', params: Params, response: { 200: TeamSchema } } },
    async (request) => agentOps.getTeam(ctxOf(desk, request), request.params.id));
  app.patch('/teams/:id', { config: { access: ADMIN }, schema: { tags: ['teams'], summary: 'Change a team', params: Params, body: TeamPatchSchema, response: { 200: TeamSchema } } },
    async (request) => agentOps.updateTeam(ctxOf(desk, request), request.params.id, request.body));
  app.delete('/teams/:id', { config: { access: ADMIN }, schema: { tags: ['teams'], summary: 'Delete a team', params: Params } },
    async (request, reply) => {
      await agentOps.deleteTeam(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    });

  // ── API keys
  app.post('/api-keys', { config: { access: ADMIN }, schema: { tags: ['api keys'], summary: 'Create an API key (the secret is shown once)', body: ApiKeyCreateSchema, response: { 201: z.object({ key: ApiKeySchema, secret: z.string() }) } } },
    async (request, reply) => reply.code(201).send(await createApiKey(ctxOf(desk, request), request.body)));
  app.get('/api-keys', { config: { access: ADMIN }, schema: { tags: ['api keys'], summary: 'List API keys', response: { 200: z.object({ data: z.array(ApiKeySchema) }) } } },
    async (request) => ({ data: await listApiKeys(ctxOf(desk, request)) }));
  app.delete('/api-keys/:id', { config: { access: ADMIN }, schema: { tags: ['api keys'], summary: 'Revoke an API key', params: Params } },
    async (request, reply) => {
      await revokeApiKey(ctxOf(desk, request), request.params.id);
      desk.apiKeys.forget(request.params.id);
      return reply.code(204).send();
    });
};
