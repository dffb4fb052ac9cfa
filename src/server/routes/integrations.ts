import { z } from 'zod';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../app.js';
import { DeskmindError } from '../../domain/errors.js';
import { IdSchema } from '../../domain/schemas.js';
import { CrmWebhookResultSchema, importCrmDocument, receiveCrmWebhook } from '../../integrations/crm.js';
import { IntegrationSettingsPatchSchema, IntegrationSettingsViewSchema, loadIntegrationConfig, updateIntegrationSettings, viewOf } from '../../integrations/settings.js';
import { billingFactsOf, customerInfoFor, findBilling, receiveStripeEvent, stripeClient, verifyStripeEvent } from '../../integrations/stripe.js';
import { ingestUsage, SegmentBatchSchema, SegmentEventSchema, summariseUsage, UsageIngestResultSchema, USAGE_TYPES } from '../../integrations/usage.js';
import { BillingFactsSchema, UsageSummarySchema } from '../../pipeline/enrichment.js';
import { getAccount } from '../../people/accounts.js';
import { getCustomer } from '../../people/customers.js';
import { ImportSummarySchema } from '../../services/import.js';
import { ADMIN, STAFF, ctxOf, txOf, type Access } from '../auth.js';

const WorkspaceParams = z.object({ workspaceId: IdSchema }).strict();
const Params = z.object({ id: IdSchema }).strict();
const INGEST: Access = ['admin', 'ingest'];
const StripeReceipt = z.object({ received: z.literal(true), eventId: z.string(), type: z.string(), result: z.enum(['applied', 'ignored', 'duplicate']), state: z.string().nullable() });

/** Billing (Stripe), CRM (HubSpot, other CRMs) and product usage (Segment format), and their settings. */
export const integrationRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.get('/integrations/settings', { config: { access: ADMIN }, schema: { tags: ['integrations'], summary: 'Integration settings (secrets shown only as set / last four characters)', response: { 200: IntegrationSettingsViewSchema } } }, async (request) => {
    const ctx = ctxOf(desk, request);
    return viewOf(ctx.workspaceId, await loadIntegrationConfig(ctx.db, ctx.workspaceId));
  });
  app.patch('/integrations/settings', {
    config: { access: ADMIN },
    schema: { tags: ['integrations'], summary: 'Change integration settings; secrets are write-only (null removes one); logged without secret values', body: IntegrationSettingsPatchSchema, response: { 200: IntegrationSettingsViewSchema } },
  }, async (request) => {
    return txOf(desk, request, (tx) => updateIntegrationSettings(tx, request.body));
  });

  app.get('/accounts/:id/billing', { config: { access: STAFF }, schema: { tags: ['integrations'], summary: "The account's billing state as Stripe webhooks left it (null when unknown)", params: Params, response: { 200: z.object({ billing: BillingFactsSchema.nullable() }) } } }, async (request) => {
    const ctx = ctxOf(desk, request);
    const account = await getAccount(ctx, request.params.id);
    const row = await findBilling(ctx, account.id, null);
    return { billing: row ? billingFactsOf(row, 'stored') : null };
  });
  app.get('/customers/:id/usage', { config: { access: STAFF }, schema: { tags: ['integrations'], summary: "The customer's product usage: last seen, features used (30 days), recent errors (7 days)", params: Params, response: { 200: z.object({ usage: UsageSummarySchema.nullable() }) } } }, async (request) => {
    const ctx = ctxOf(desk, request);
    const customer = await getCustomer(ctx, request.params.id);
    return { usage: await summariseUsage(ctx.db, ctx.workspaceId, customer.id, desk.now()) };
  });

  // ── product usage, in Segment's format
  for (const type of USAGE_TYPES) {
    app.post(`/usage/${type}`, { config: { access: INGEST }, schema: { tags: ['integrations'], summary: `A Segment ${type} event`, body: SegmentEventSchema, response: { 200: UsageIngestResultSchema } } }, async (request) => {
      return txOf(desk, request, (tx) => ingestUsage(tx, [{ ...request.body, type }]));
    });
  }
  app.post('/usage/batch', { config: { access: INGEST }, schema: { tags: ['integrations'], summary: 'A Segment batch of identify / track / page / screen events (at most 500)', body: SegmentBatchSchema, response: { 200: UsageIngestResultSchema } } }, async (request) => {
    const events = request.body.batch.map((e, i) => {
      if (!e.type) throw new DeskmindError('validation_failed', `batch.${i}.type is required`, { issues: [{ path: `batch.${i}.type`, message: 'required' }] });
      return { ...e, type: e.type, context: e.context ?? request.body.context };
    });
    return txOf(desk, request, (tx) => ingestUsage(tx, events));
  });

  // ── CRM import (CSV, JSONL or a JSON array)
  await app.register(async (plugin) => {
    const doc = plugin.withTypeProvider<ZodTypeProvider>();
    doc.addContentTypeParser(['text/csv', 'application/x-ndjson', 'application/jsonl'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
    doc.post('/integrations/crm/import', {
      // One transaction per row (a bad row never stops the import): its audit entry is written before it runs.
      config: { access: INGEST, audit: 'before' },
      schema: {
        tags: ['integrations'],
        summary: 'Upsert accounts or customers from CSV (text/csv), JSONL (application/x-ndjson) or a JSON array, like `deskmind import`',
        querystring: z.object({ kind: z.enum(['accounts', 'customers']) }).strict(),
        response: { 200: ImportSummarySchema },
      },
    }, async (request) => {
      const ctx = ctxOf(desk, request);
      const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim();
      const format = type === 'text/csv' ? 'csv' : type === 'application/json' ? 'json' : 'jsonl';
      return importCrmDocument(desk, ctx.workspaceId, request.query.kind, request.body as string | unknown[], format);
    });
  });

  // ── signed webhooks: public routes that read the raw body to check its signature
  await app.register(async (plugin) => {
    const hooks = plugin.withTypeProvider<ZodTypeProvider>();
    hooks.removeContentTypeParser('application/json');
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    hooks.post('/integrations/stripe/webhook/:workspaceId', {
      config: { access: 'public' },
      schema: {
        tags: ['integrations'],
        summary: "Stripe webhook of a workspace: verified with the Stripe-Signature header and the workspace's webhook secret; forged, stale and replayed deliveries are refused",
        params: WorkspaceParams,
        security: [],
        response: { 200: StripeReceipt },
      },
    }, async (request) => {
      const { workspaceId } = request.params;
      const config = await loadIntegrationConfig(desk.database.db, workspaceId);
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from('');
      const key = config.secrets.stripeSecretKey;
      const lookup = key && config.stripe.lookups ? await stripeClient(key, desk.config.stripeApiUrl, desk.config.enrichTimeoutMs) : null;
      const signature = request.headers['stripe-signature'];
      const verified = await verifyStripeEvent(config, raw, typeof signature === 'string' ? signature : undefined, desk.now());
      const info = await customerInfoFor(desk.database.db, workspaceId, verified.event, lookup);
      const outcome = await desk.tx(workspaceId, { type: 'integration', id: 'stripe' }, (ctx) => receiveStripeEvent(ctx, verified, info));
      request.log.info({ eventId: outcome.eventId, type: outcome.type, result: outcome.result }, 'stripe webhook');
      return { received: true as const, eventId: outcome.eventId, type: outcome.type, result: outcome.result, state: outcome.state };
    });
    hooks.post('/integrations/crm/webhook/:workspaceId', {
      config: { access: 'public' },
      schema: {
        tags: ['integrations'],
        summary: 'Upserts accounts and customers from another CRM; signed with X-Deskmind-Signature: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<body>")',
        params: WorkspaceParams,
        security: [],
        response: { 200: CrmWebhookResultSchema },
      },
    }, async (request) => {
      const { workspaceId } = request.params;
      const config = await loadIntegrationConfig(desk.database.db, workspaceId);
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from('');
      const signature = request.headers['x-deskmind-signature'];
      return receiveCrmWebhook(desk, workspaceId, config, raw, typeof signature === 'string' ? signature : undefined);
    });
  });
};
