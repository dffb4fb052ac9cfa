import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { getAccountBilling } from './get-account-billing.js';
import { getCustomerUsage } from './get-customer-usage.js';
import { getIntegrationSettings } from './get-integration-settings.js';
import { importCrmRecords } from './import-crm-records.js';
import { ingestUsageRoutes } from './ingest-usage.js';
import { receiveWebhooks } from './receive-webhook.js';
import type { IntegrationRoute } from './types.js';
import { updateIntegrationSettingsRoute } from './update-integration-settings.js';

const ROUTES: IntegrationRoute[] = [
  getIntegrationSettings,
  updateIntegrationSettingsRoute,
  getAccountBilling,
  getCustomerUsage,
  ingestUsageRoutes,
  importCrmRecords,
  receiveWebhooks,
];

/** Billing (Stripe), CRM (HubSpot, other CRMs) and product usage (Segment format), their settings and webhooks. */
export const integrationRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    for (const route of ROUTES) await route(app, desk);
  };
