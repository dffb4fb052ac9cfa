/**
 * Per-workspace integration settings: Stripe, HubSpot, a generic CRM webhook and product-usage retention.
 * Secrets are write-only: stored apart from the rest, never returned in full (only a hint of their last
 * characters) and never logged (the `settings.changed` event names the secrets that changed, not their values).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../services/events.js';
import type { DbOrTx } from '../store/db.js';
import { integrationSettings } from '../store/schema.js';
import { cachedConfig } from '../store/config-cache.js';

const secret = (max = 500) => z.string().trim().min(8).max(max).nullable();
const tierValue = z.string().trim().min(1).max(50);

/** The non-secret part, with its defaults. */
export const IntegrationOptionsSchema = z.object({
  stripe: z
    .object({
      /** Largest age of a webhook signature, in seconds (Stripe's default: 300). */
      toleranceSeconds: z.number().int().min(10).max(3600).default(300),
      /** Look billing up through the Stripe API when no webhook has told us about a customer yet. */
      lookups: z.boolean().default(true),
    })
    .strict()
    .prefault({}),
  hubspot: z
    .object({
      /** The company property holding the customer's tier. */
      tierProperty: z.string().trim().min(1).max(100).default('tier'),
      /** Property value (case-insensitive) → Deskmind tier; values not listed are used lower-cased. */
      tierMap: z.record(z.string().max(100), tierValue).refine((m) => Object.keys(m).length <= 50, 'at most 50 entries').default({}),
      /** The company property holding the renewal date, if any. */
      renewalDateProperty: z.string().trim().min(1).max(100).nullable().default(null),
      /** An account synced with HubSpot less than this many minutes ago is not looked up again (0: every ticket). */
      refreshMinutes: z.number().int().min(0).max(10_080).default(60),
    })
    .strict()
    .prefault({}),
  usage: z
    .object({
      /** Events kept per customer (the oldest are pruned by the sweep). */
      maxEventsPerCustomer: z.number().int().min(10).max(100_000).default(1000),
      /** Events older than this are pruned by the sweep. */
      maxAgeDays: z.number().int().min(1).max(3650).default(90),
    })
    .strict()
    .prefault({}),
});
export type IntegrationOptions = z.infer<typeof IntegrationOptionsSchema>;

const SECRET_NAMES = ['stripeSecretKey', 'stripeWebhookSecret', 'hubspotAccessToken', 'crmWebhookSecret'] as const;
type SecretName = (typeof SECRET_NAMES)[number];

/** Settings with their secrets, for the code that calls vendors or verifies webhooks. Never serialise it. */
export interface IntegrationConfig extends IntegrationOptions {
  secrets: Partial<Record<SecretName, string>>;
}

/** A change: each section's fields as in the options, plus its secrets (`null` removes one). */
export const IntegrationSettingsPatchSchema = z
  .object({
    stripe: z
      .object({ secretKey: secret(), webhookSecret: secret(), toleranceSeconds: z.number().int().min(10).max(3600), lookups: z.boolean() })
      .partial()
      .strict(),
    hubspot: z
      .object({
        accessToken: secret(),
        tierProperty: z.string().trim().min(1).max(100),
        tierMap: z.record(z.string().max(100), tierValue).refine((m) => Object.keys(m).length <= 50, 'at most 50 entries'),
        renewalDateProperty: z.string().trim().min(1).max(100).nullable(),
        refreshMinutes: z.number().int().min(0).max(10_080),
      })
      .partial()
      .strict(),
    crm: z.object({ webhookSecret: secret() }).partial().strict(),
    usage: z.object({ maxEventsPerCustomer: z.number().int().min(10).max(100_000), maxAgeDays: z.number().int().min(1).max(3650) }).partial().strict(),
  })
  .partial()
  .strict();
export type IntegrationSettingsPatch = z.infer<typeof IntegrationSettingsPatchSchema>;

const SecretView = z.object({ set: z.boolean(), hint: z.string().nullable() });

/** What the API shows: options, and for each secret only whether it is set and its last four characters. */
export const IntegrationSettingsViewSchema = z.object({
  stripe: IntegrationOptionsSchema.shape.stripe.unwrap().extend({ secretKey: SecretView, webhookSecret: SecretView, webhookPath: z.string() }),
  hubspot: IntegrationOptionsSchema.shape.hubspot.unwrap().extend({ accessToken: SecretView }),
  crm: z.object({ webhookSecret: SecretView, webhookPath: z.string() }),
  usage: IntegrationOptionsSchema.shape.usage.unwrap(),
});
export type IntegrationSettingsView = z.infer<typeof IntegrationSettingsViewSchema>;

/** The integration settings of a workspace (defaults when none were saved). */
export function loadIntegrationConfig(db: DbOrTx, workspaceId: string): Promise<IntegrationConfig> {
  return cachedConfig(db, workspaceId, 'integrations', async () => {
    const [row] = await db.select().from(integrationSettings).where(eq(integrationSettings.workspaceId, workspaceId));
    const options = IntegrationOptionsSchema.parse(row?.settings ?? {});
    return { ...options, secrets: (row?.secrets ?? {}) as IntegrationConfig['secrets'] };
  });
}

const hint = (value: string | undefined) => ({ set: !!value, hint: value ? `…${value.slice(-4)}` : null });

/** The settings as the API shows them (secrets masked). */
export function viewOf(workspaceId: string, config: IntegrationConfig): IntegrationSettingsView {
  return {
    stripe: { ...config.stripe, secretKey: hint(config.secrets.stripeSecretKey), webhookSecret: hint(config.secrets.stripeWebhookSecret), webhookPath: `/api/v1/integrations/stripe/webhook/${workspaceId}` },
    hubspot: { ...config.hubspot, accessToken: hint(config.secrets.hubspotAccessToken) },
    crm: { webhookSecret: hint(config.secrets.crmWebhookSecret), webhookPath: `/api/v1/integrations/crm/webhook/${workspaceId}` },
    usage: config.usage,
  };
}

/** Changes the settings; logs `settings.changed` naming what changed (secrets by name only). */
export async function updateIntegrationSettings(ctx: Ctx, patch: IntegrationSettingsPatch): Promise<IntegrationSettingsView> {
  const current = await loadIntegrationConfig(ctx.db, ctx.workspaceId);
  const secrets = { ...current.secrets };
  const setSecret = (name: SecretName, value: string | null | undefined) => {
    if (value === undefined) return;
    if (value === null) delete secrets[name];
    else secrets[name] = value;
  };
  const { secretKey, webhookSecret, ...stripe } = patch.stripe ?? {};
  const { accessToken, ...hubspot } = patch.hubspot ?? {};
  setSecret('stripeSecretKey', secretKey);
  setSecret('stripeWebhookSecret', webhookSecret);
  setSecret('hubspotAccessToken', accessToken);
  setSecret('crmWebhookSecret', patch.crm?.webhookSecret);
  const options = IntegrationOptionsSchema.parse({
    stripe: { ...current.stripe, ...stripe },
    hubspot: { ...current.hubspot, ...hubspot },
    usage: { ...current.usage, ...(patch.usage ?? {}) },
  });
  await ctx.db
    .insert(integrationSettings)
    .values({ workspaceId: ctx.workspaceId, settings: options, secrets, updatedAt: ctx.now() })
    .onConflictDoUpdate({ target: integrationSettings.workspaceId, set: { settings: options, secrets, updatedAt: ctx.now() } });
  const secretsChanged = SECRET_NAMES.filter((n) => secrets[n] !== current.secrets[n]);
  const { secrets: _s, ...before } = current;
  await appendEvent(ctx, 'settings.changed', null, { section: 'integrations', before, after: options, secretsChanged });
  return viewOf(ctx.workspaceId, { ...options, secrets });
}
