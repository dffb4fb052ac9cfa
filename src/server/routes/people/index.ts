import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { createAccountRoute } from './create-account.js';
import { listAccountsRoute } from './list-accounts.js';
import { getAccountRoute } from './get-account.js';
import { updateAccountRoute } from './update-account.js';
import { deleteAccountRoute } from './delete-account.js';
import { upsertAccountRoute } from './upsert-account.js';
import { createCustomerRoute } from './create-customer.js';
import { listCustomersRoute } from './list-customers.js';
import { getCustomerRoute } from './get-customer.js';
import { updateCustomerRoute } from './update-customer.js';
import { deleteCustomerRoute } from './delete-customer.js';
import { upsertCustomerRoute } from './upsert-customer.js';
import { createAgentRoute } from './create-agent.js';
import { listAgentsRoute } from './list-agents.js';
import { getAgentRoute } from './get-agent.js';
import { updateAgentRoute } from './update-agent.js';
import { deleteAgentRoute } from './delete-agent.js';
import { createTeamRoute } from './create-team.js';
import { listTeamsRoute } from './list-teams.js';
import { getTeamRoute } from './get-team.js';
import { updateTeamRoute } from './update-team.js';
import { deleteTeamRoute } from './delete-team.js';
import { createApiKeyRoute } from './create-api-key.js';
import { listApiKeysRoute } from './list-api-keys.js';
import { revokeApiKeyRoute } from './revoke-api-key.js';

/** Customers, accounts, agents, teams and API keys. */
export const peopleRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    createAccountRoute(app, desk);
    listAccountsRoute(app, desk);
    getAccountRoute(app, desk);
    updateAccountRoute(app, desk);
    deleteAccountRoute(app, desk);
    upsertAccountRoute(app, desk);
    createCustomerRoute(app, desk);
    listCustomersRoute(app, desk);
    getCustomerRoute(app, desk);
    updateCustomerRoute(app, desk);
    deleteCustomerRoute(app, desk);
    upsertCustomerRoute(app, desk);
    createAgentRoute(app, desk);
    listAgentsRoute(app, desk);
    getAgentRoute(app, desk);
    updateAgentRoute(app, desk);
    deleteAgentRoute(app, desk);
    createTeamRoute(app, desk);
    listTeamsRoute(app, desk);
    getTeamRoute(app, desk);
    updateTeamRoute(app, desk);
    deleteTeamRoute(app, desk);
    createApiKeyRoute(app, desk);
    listApiKeysRoute(app, desk);
    revokeApiKeyRoute(app, desk);
  };
