/**
 * HubSpot through the official client: the customer's contact (by email) and its company, else the company
 * by domain; the tier comes from a configurable company property, mapped through the workspace's tier map.
 */
import type { Client } from '@hubspot/api-client';
import type { Account } from '../domain/schemas.js';
import { z } from 'zod';
import type { CrmFacts } from '../domain/stage-results.js';
import { defineConnector } from './connector.js';

const tierValue = z.string().trim().min(1).max(50);

/** The workspace's HubSpot options (its secret: `accessToken`). */
export const HubspotOptionsSchema = z
  .object({
    /** The company property holding the customer's tier. */
    tierProperty: z.string().trim().min(1).max(100).default('tier'),
    /** Property value (case-insensitive) → Deskmind tier; values not listed are used lower-cased. */
    tierMap: z
      .record(z.string().max(100), tierValue)
      .refine((m) => Object.keys(m).length <= 50, 'at most 50 entries')
      .default({}),
    /** The company property holding the renewal date, if any. */
    renewalDateProperty: z.string().trim().min(1).max(100).nullable().default(null),
    /** An account synced with HubSpot less than this many minutes ago is not looked up again (0: every ticket). */
    refreshMinutes: z.number().int().min(0).max(10_080).default(60),
  })
  .strict();
export type HubspotOptions = z.output<typeof HubspotOptionsSchema>;

/** Domains of personal mailboxes: a company is never looked up by them. */
const PERSONAL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'web.de',
  'yandex.com',
  'mail.com',
]);

/** A HubSpot client for a private-app access token, pointed at `basePath`. */
export async function hubspotClient(accessToken: string, basePath: string): Promise<Client> {
  const { Client } = await import('@hubspot/api-client'); // loaded on first use
  return new Client({ accessToken, basePath: basePath.replace(/\/$/, ''), numberOfApiCallRetries: 0 });
}

const notFound = (err: unknown) => (err as { code?: number }).code === 404;

/** The tier a company property value stands for (null when empty). */
export function tierOf(value: string | null | undefined, tierMap: Record<string, string>): string | null {
  const v = value?.trim();
  if (!v) return null;
  const mapped = Object.entries(tierMap).find(([k]) => k.trim().toLowerCase() === v.toLowerCase())?.[1];
  return (mapped ?? v).toLowerCase();
}

/**
 * The CRM facts kept on an account synced less than `refreshMinutes` ago, so that HubSpot is not asked for
 * every ticket (its API is rate-limited); null when the account was never synced or is due again.
 */
export function cachedCrmFacts(account: Account | null, options: HubspotOptions, now: Date): CrmFacts | null {
  const syncedAt =
    typeof account?.attributes.crmSyncedAt === 'string' ? new Date(account.attributes.crmSyncedAt) : null;
  if (
    !account?.crmId ||
    !syncedAt ||
    Number.isNaN(syncedAt.getTime()) ||
    now.getTime() - syncedAt.getTime() >= options.refreshMinutes * 60_000
  )
    return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    provider: 'hubspot',
    companyId: account.crmId,
    companyName: account.name,
    domain: account.domain,
    contactId: null,
    tier: account.tier,
    tierProperty: options.tierProperty,
    lifecycleStage: str(account.attributes.lifecycleStage),
    renewalDate: str(account.attributes.renewalDate),
    ownerId: null,
    ownerEmail: str(account.attributes.ownerEmail),
    ownerName: null,
    syncedAt: syncedAt.toISOString(),
    cached: true,
  };
}

/** What HubSpot knows about a customer's company, or null. */
export async function hubspotLookup(
  client: Client,
  options: HubspotOptions,
  who: { email: string | null; domain: string | null; companyId: string | null },
  now: Date,
): Promise<CrmFacts | null> {
  const companyProps = [
    'name',
    'domain',
    'lifecyclestage',
    'hubspot_owner_id',
    options.tierProperty,
    ...(options.renewalDateProperty ? [options.renewalDateProperty] : []),
  ];
  let companyId = who.companyId;
  let contactId: string | null = null;
  if (who.email) {
    try {
      const contact = await client.crm.contacts.basicApi.getById(
        who.email,
        ['email', 'associatedcompanyid'],
        undefined,
        ['companies'],
        false,
        'email',
      );
      contactId = contact.id;
      companyId ??= contact.associations?.companies?.results?.[0]?.id ?? contact.properties.associatedcompanyid ?? null;
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  const domain = who.domain ?? who.email?.split('@')[1]?.toLowerCase() ?? null;
  let company: { id: string; properties: Record<string, string | null> } | null = null;
  if (companyId) {
    try {
      company = await client.crm.companies.basicApi.getById(companyId, companyProps);
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  if (!company && domain && !PERSONAL_DOMAINS.has(domain)) {
    const found = await client.crm.companies.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ' as never, value: domain }] }],
      properties: companyProps,
      limit: 1,
      sorts: [],
      after: undefined as never,
    });
    company = found.results[0] ?? null;
  }
  if (!company) return null;
  const p = company.properties;
  const ownerId = p.hubspot_owner_id ?? null;
  let owner: { email: string | null; name: string | null } = { email: null, name: null };
  if (ownerId && /^\d+$/.test(ownerId)) {
    const o = await client.crm.owners.ownersApi.getById(Number(ownerId)).catch(() => null);
    if (o) owner = { email: o.email ?? null, name: [o.firstName, o.lastName].filter(Boolean).join(' ') || null };
  }
  return {
    provider: 'hubspot',
    companyId: company.id,
    companyName: p.name ?? null,
    domain: p.domain?.toLowerCase() ?? null,
    contactId,
    tier: tierOf(p[options.tierProperty], options.tierMap),
    tierProperty: options.tierProperty,
    lifecycleStage: p.lifecyclestage ?? null,
    renewalDate: options.renewalDateProperty ? (p[options.renewalDateProperty] ?? null) : null,
    ownerId,
    ownerEmail: owner.email,
    ownerName: owner.name,
    syncedAt: now.toISOString(),
    cached: false,
  };
}

/** The CRM: the `crm` enrichment source, asked only in workspaces that set an access token. */
export const hubspotConnector = defineConnector({
  id: 'hubspot',
  title: 'HubSpot (CRM)',
  options: HubspotOptionsSchema,
  secrets: ['accessToken'],
  enrichment(section, { config, now }) {
    const token = section.secrets.accessToken;
    if (!token) return null;
    return {
      name: 'crm',
      timeoutMs: config.enrichTimeoutMs,
      async load({ account, customer }) {
        const cached = cachedCrmFacts(account, section.options, now());
        if (cached) return { crm: cached };
        const client = await hubspotClient(token, config.hubspotApiUrl);
        const crmId = account?.crmId && /^\d+$/.test(account.crmId) ? account.crmId : null;
        const who = { email: customer?.email ?? null, domain: account?.domain ?? null, companyId: crmId };
        const crm = await hubspotLookup(client, section.options, who, now());
        return crm ? { crm } : null;
      },
    };
  },
});
