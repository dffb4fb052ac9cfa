/**
 * Per-workspace integration settings, one section per connector of the registry (options and secrets).
 * Secrets are write-only: stored apart from the rest, never returned in full (only a hint of their last
 * characters) and never logged (the `settings.changed` event names the secrets that changed, not their values).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import type { DbOrTx } from '../store/db.js';
import { integrationSettings } from '../store/schema.js';
import { cachedConfig } from '../store/config-cache.js';
import { patchOf } from '../domain/schemas.js';
import { storedSecretName, type Connector, type ConnectorSection } from './connector.js';
import { CONNECTORS } from './registry.js';

const secret = () => z.string().trim().min(8).max(500).nullable();
const SecretView = z.object({ set: z.boolean(), hint: z.string().nullable() });

/** The connectors with integration settings: options, secrets or both. */
const INTEGRATIONS = CONNECTORS.filter((c) => c.options || c.secrets?.length);
const webhookPathOf = (id: string, workspaceId: string) => `/api/v1/integrations/${id}/webhook/${workspaceId}`;

/** One schema per connector section, leaving out the connectors `build` gives null for. */
function shapeOf(build: (c: Connector) => z.ZodType | null): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const c of INTEGRATIONS) {
    const schema = build(c);
    if (schema) shape[c.id] = schema;
  }
  return shape;
}

type Registered = (typeof CONNECTORS)[number];
type OptionsOf<C> = C extends Connector<string, infer O, string> ? z.output<O> : never;
type WithOptions<C> =
  C extends Connector<infer Id, z.ZodObject, string> ? (keyof OptionsOf<C> extends never ? never : Id) : never;
type SecretNameOf<C> = C extends Connector<infer Id, z.ZodObject, infer S> ? `${Id}${Capitalize<S>}` : never;
type SecretName = SecretNameOf<Registered>;

/** The non-secret part, with its defaults: one section per connector that has options. */
const optionsShape = shapeOf((c) => c.options?.prefault({}) ?? null);
export const IntegrationOptionsSchema = z.object(optionsShape) as unknown as z.ZodObject<{
  [C in Registered as WithOptions<C>]: z.ZodType<OptionsOf<C>>;
}>;
export type IntegrationOptions = z.infer<typeof IntegrationOptionsSchema>;

const SECRET_NAMES = INTEGRATIONS.flatMap((c) => (c.secrets ?? []).map((f) => storedSecretName(c.id, f) as SecretName));

/** Settings with their secrets, for the code that calls vendors or verifies webhooks. Never serialise it. */
export interface IntegrationConfig extends IntegrationOptions {
  secrets: Partial<Record<SecretName, string>>;
}

/** A change: each section's fields as in the options, plus its secrets (`null` removes one). */
export const IntegrationSettingsPatchSchema = z
  .object(
    shapeOf((c) =>
      z
        .object({
          ...Object.fromEntries((c.secrets ?? []).map((f) => [f, secret()])),
          ...(c.options ? patchOf(c.options).shape : {}),
        })
        .partial()
        .strict(),
    ),
  )
  .partial()
  .strict();
export type IntegrationSettingsPatch = z.infer<typeof IntegrationSettingsPatchSchema>;

/** What the API shows: options, and for each secret only whether it is set and its last four characters. */
export const IntegrationSettingsViewSchema = z.object(
  shapeOf((c) =>
    (c.options ?? z.object({})).extend({
      ...Object.fromEntries((c.secrets ?? []).map((f) => [f, SecretView])),
      ...(c.webhook ? { webhookPath: z.string() } : {}),
    }),
  ),
);
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

/** A connector's own section of the settings: its options and its secrets by field name. */
export function sectionOf<O extends z.ZodObject, S extends string>(
  config: IntegrationConfig,
  connector: Connector<string, O, S>,
): ConnectorSection<O, S> {
  const options = (config as unknown as Record<string, unknown>)[connector.id] ?? {};
  const stored = config.secrets as Partial<Record<string, string>>;
  const secrets: Partial<Record<S, string>> = {};
  for (const f of connector.secrets ?? []) {
    const value = stored[storedSecretName(connector.id, f)];
    if (value) secrets[f] = value;
  }
  return { options: options as z.output<O>, secrets };
}

/** The settings as the API shows them (secrets masked). */
export function viewOf(workspaceId: string, config: IntegrationConfig): IntegrationSettingsView {
  const stored = config.secrets as Partial<Record<string, string>>;
  const options = config as unknown as Record<string, object | undefined>;
  const view: Record<string, unknown> = {};
  for (const c of INTEGRATIONS) {
    view[c.id] = {
      ...(c.options ? options[c.id] : {}),
      ...Object.fromEntries((c.secrets ?? []).map((f) => [f, hint(stored[storedSecretName(c.id, f)])])),
      ...(c.webhook ? { webhookPath: webhookPathOf(c.id, workspaceId) } : {}),
    };
  }
  return view as IntegrationSettingsView;
}

/** Changes the settings; logs `settings.changed` naming what changed (secrets by name only). */
export function updateIntegrationSettings(ctx: Ctx, patch: IntegrationSettingsPatch): Promise<IntegrationSettingsView> {
  return inTransaction(ctx, (tx) => storeIntegrationSettings(tx, patch));
}

async function storeIntegrationSettings(ctx: Ctx, patch: IntegrationSettingsPatch): Promise<IntegrationSettingsView> {
  const current = await loadIntegrationConfig(ctx.db, ctx.workspaceId);
  const secrets: Record<string, string> = { ...(current.secrets as Record<string, string>) };
  const merged: Record<string, unknown> = {};
  for (const c of INTEGRATIONS) {
    const { ...fields } = (patch as Record<string, Record<string, unknown> | undefined>)[c.id] ?? {};
    for (const f of c.secrets ?? []) {
      const value = fields[f];
      delete fields[f];
      if (value === null) delete secrets[storedSecretName(c.id, f)];
      else if (typeof value === 'string') secrets[storedSecretName(c.id, f)] = value;
    }
    if (c.options) merged[c.id] = { ...(current as unknown as Record<string, object>)[c.id], ...fields };
  }
  const options = IntegrationOptionsSchema.parse(merged);
  await ctx.db
    .insert(integrationSettings)
    .values({ workspaceId: ctx.workspaceId, settings: options, secrets, updatedAt: ctx.now() })
    .onConflictDoUpdate({
      target: integrationSettings.workspaceId,
      set: { settings: options, secrets, updatedAt: ctx.now() },
    });
  const currentSecrets = current.secrets as Partial<Record<string, string>>;
  const secretsChanged = SECRET_NAMES.filter((n) => secrets[n] !== currentSecrets[n]);
  const { secrets: _s, ...before } = current;
  await appendEvent(ctx, 'settings.changed', null, { section: 'integrations', before, after: options, secretsChanged });
  return viewOf(ctx.workspaceId, { ...options, secrets });
}
