/**
 * The enrichment sources of a workspace, built from its integration settings: billing (Stripe webhook state,
 * else an on-demand look-up), the CRM (HubSpot, when configured) and product usage.
 */
import type { Config } from '../config.js';
import DataLoader from 'dataloader';
import type { EnrichmentSource, UsageSummary } from '../pipeline/enrichment.js';
import type { Database } from '../store/db.js';
import { cachedCrmFacts, hubspotClient, hubspotLookup } from './hubspot.js';
import { loadIntegrationConfig } from './settings.js';
import { billingFactsOf, fetchStripeBilling, findBillings, linkBilling, storeStripeBilling, stripeClient, type BillingRow, type BillingSubject } from './stripe.js';
import { summariseUsages } from './usage.js';

export interface SourceDeps {
  database: Pick<Database, 'db'>;
  config: Pick<Config, 'stripeApiUrl' | 'hubspotApiUrl' | 'enrichTimeoutMs'>;
  now: () => Date;
}

/** The enrichment sources of a workspace. */
export function integrationSources(deps: SourceDeps): (workspaceId: string) => Promise<EnrichmentSource[]> {
  const { database, config, now } = deps;
  const timeoutMs = config.enrichTimeoutMs;
  return async (workspaceId) => {
    const settings = await loadIntegrationConfig(database.db, workspaceId);
    const ctx = { db: database.db, workspaceId };
    // Tickets that ask these sources at the same time (a pipeline batch shares one set of sources) read the
    // stored billing customers and usage in one statement each.
    const billingRows = new DataLoader<BillingSubject, BillingRow | null, string>((subjects) => findBillings(ctx, subjects), {
      cacheKeyFn: (s) => `${s.accountId ?? ''}|${s.email?.toLowerCase() ?? ''}`,
    });
    const usageSummaries = new DataLoader<string, UsageSummary | null>((customerIds) => summariseUsages(database.db, workspaceId, customerIds, now()));
    const sources: EnrichmentSource[] = [
      {
        name: 'billing',
        timeoutMs,
        async load({ account, customer }) {
          const stored = await billingRows.load({ accountId: account?.id ?? null, email: customer?.email ?? null });
          // Stripe told about this email before the customer had an account here: link them now.
          const row = stored && !stored.accountId && account ? await linkBilling({ ...ctx, actor: { type: 'system', id: null }, now }, stored, account.id) : stored;
          if (row) return { billing: billingFactsOf(row, 'stored') };
          const key = settings.secrets.stripeSecretKey;
          if (!key || !settings.stripe.lookups || !customer?.email) return null;
          const stripe = await stripeClient(key, config.stripeApiUrl, timeoutMs);
          const snapshot = await fetchStripeBilling(stripe, customer.email);
          if (!snapshot) return null;
          const found = await database.db.transaction((tx) =>
            storeStripeBilling({ db: tx, workspaceId, actor: { type: 'system', id: null }, now }, snapshot, customer.email!, account?.id ?? null),
          );
          return found ? { billing: billingFactsOf(found, 'lookup') } : null;
        },
      },
      {
        name: 'usage',
        timeoutMs,
        async load({ customer }) {
          if (!customer) return null;
          const usage = await usageSummaries.load(customer.id);
          return usage ? { usage } : null;
        },
      },
    ];
    const token = settings.secrets.hubspotAccessToken;
    if (token) {
      sources.push({
        name: 'crm',
        timeoutMs,
        async load({ account, customer }) {
          const cached = cachedCrmFacts(account, settings.hubspot, now());
          if (cached) return { crm: cached };
          const client = await hubspotClient(token, config.hubspotApiUrl);
          const crmId = account?.crmId && /^\d+$/.test(account.crmId) ? account.crmId : null;
          const crm = await hubspotLookup(client, settings.hubspot, { email: customer?.email ?? null, domain: account?.domain ?? null, companyId: crmId }, now());
          return crm ? { crm } : null;
        },
      });
    }
    return sources;
  };
}
