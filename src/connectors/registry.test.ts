import { describe, expect, it } from 'vitest';
import { InsightsSettingsSchema } from '../insights/settings.js';
import { storedSecretName } from './connector.js';
import { ALL, trackerFor } from './registry.js';
import {
  IntegrationOptionsSchema,
  IntegrationSettingsPatchSchema,
  IntegrationSettingsViewSchema,
  viewOf,
} from './settings.js';

const outbound = { fetch, checkResolved: async () => {} };

describe('the connector registry', () => {
  it('builds every settings section from the connectors: options, write-only secrets, webhook paths', () => {
    const options = IntegrationOptionsSchema.parse({}) as Record<string, unknown>;
    const secrets: Record<string, string> = {};
    for (const c of ALL) {
      if (c.options) expect(options[c.id]).toEqual(c.options.parse({}));
      for (const f of c.secrets ?? []) {
        secrets[storedSecretName(c.id, f)] = `secret-of-${c.id}-${f}`;
        expect(IntegrationSettingsPatchSchema.safeParse({ [c.id]: { [f]: 'short' } }).success).toBe(false);
        expect(IntegrationSettingsPatchSchema.safeParse({ [c.id]: { [f]: null } }).success).toBe(true);
      }
    }
    const view = viewOf('ws-1', { ...options, secrets } as Parameters<typeof viewOf>[1]) as Record<
      string,
      Record<string, unknown>
    >;
    expect(IntegrationSettingsViewSchema.safeParse(view).success).toBe(true);
    for (const c of ALL.filter((c) => c.options || c.secrets?.length)) {
      for (const f of c.secrets ?? []) expect(view[c.id]![f]).toEqual({ set: true, hint: `…${f.slice(-4)}` });
      expect(view[c.id]!.webhookPath).toBe(c.webhook ? `/api/v1/integrations/${c.id}/webhook/ws-1` : undefined);
    }
    expect(Object.keys(view)).toEqual(['stripe', 'usage', 'hubspot', 'crm']);
  });

  it('refuses a section or field no connector declares', () => {
    expect(IntegrationSettingsPatchSchema.safeParse({ zendesk: {} }).success).toBe(false);
    expect(IntegrationSettingsPatchSchema.safeParse({ stripe: { apiKey: 'sk_test_12345678' } }).success).toBe(false);
  });

  it('picks the bug tracker the destination names, when its settings are complete', () => {
    const base = InsightsSettingsSchema.parse({}).bugReports;
    const deps = { signingSecret: 'whsec_x', now: () => new Date(0), outbound };
    expect(trackerFor(base, deps)).toBeNull();
    expect(trackerFor({ ...base, destination: 'github', github: { token: 't' } }, deps)).toBeNull();
    expect(
      trackerFor({ ...base, destination: 'github', github: { token: 't', owner: 'o', repo: 'r' } }, deps)?.kind,
    ).toBe('github');
    expect(trackerFor({ ...base, destination: 'linear', linear: { apiKey: 'k', teamId: 'team' } }, deps)?.kind).toBe(
      'linear',
    );
    expect(
      trackerFor({ ...base, destination: 'webhook', webhook: { url: 'https://example.com/hook' } }, deps)?.kind,
    ).toBe('webhook');
  });
});
