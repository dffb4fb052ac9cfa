import { describe, expect, it } from 'vitest';
import { InsightsSettingsSchema, insightsOf, viewOf } from '../insights/settings.js';
import type { SendDeps } from './connector.js';
import type { OutboundEmail } from './email-out.js';
import { OUTBOUND, sendDelivery, TRACKERS } from './registry.js';

const email: OutboundEmail = {
  from: { name: 'Acme', address: 'support@acme.test' },
  to: 'kim@example.com',
  subject: 'Re: Export fails',
  text: 'Fixed.',
  messageId: '<deskmind.1@acme.test>',
  references: [],
  automatic: false,
};

const deps = (over: Partial<SendDeps> = {}): SendDeps => ({
  now: () => new Date(0),
  fetch: () => Promise.reject(new Error('no network here')),
  timeoutMs: 1000,
  mail: null,
  ...over,
});
const message = (payload: unknown, endpoint: { url: string; secret: string } | null = null) => ({
  id: 'd-1',
  eventType: 'message.created',
  seq: 1,
  endpoint,
  payload,
});

describe('sending outbox rows through the registry', () => {
  it('has exactly one connector sending each outbox channel', () => {
    expect(OUTBOUND.map((o) => o.channel).sort()).toEqual(['email', 'slack', 'webhook']);
  });

  it('hands an email to the relay, keeping an SMTP refusal code as the status', async () => {
    const sent: OutboundEmail[] = [];
    const ok = await sendDelivery(
      'email',
      message(email),
      deps({ mail: { send: async (e) => void sent.push(e), close() {} } }),
    );
    expect(ok).toEqual({ ok: true, statusCode: null, error: null });
    expect(sent).toEqual([email]);
    const refusing = {
      send: async () => Promise.reject(Object.assign(new Error('mailbox full'), { responseCode: 552 })),
      close() {},
    };
    expect(await sendDelivery('email', message(email), deps({ mail: refusing }))).toEqual({
      ok: false,
      statusCode: 552,
      error: 'mailbox full',
    });
    expect((await sendDelivery('email', message(email), deps())).error).toContain('DESKMIND_SMTP_RELAY_URL');
  });

  it('dead-letters at once a row whose payload its channel does not send', async () => {
    const mail = { send: async () => {}, close() {} };
    const bad = await sendDelivery('email', message({ to: 'kim@example.com' }), deps({ mail }));
    expect(bad).toMatchObject({ ok: false, statusCode: null, permanent: true });
    expect(bad.error).toContain('not one the email channel sends');
    expect(await sendDelivery('slack', message({ text: 'hi', blocks: [] }), deps())).toMatchObject({
      ok: false,
      permanent: true,
    });
  });

  it('signs a webhook body sent as stored, byte for byte', async () => {
    const calls: { body: string; headers: Record<string, string> }[] = [];
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      calls.push({ body: String(init.body), headers: init.headers as Record<string, string> });
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    const payload = { data: { b: 1, a: 2 }, type: 'ticket.updated', late: true };
    const result = await sendDelivery(
      'webhook',
      message(payload, { url: 'https://hooks.example.com/x', secret: 'whsec_1' }),
      deps({ fetch: fetchImpl }),
    );
    expect(result).toEqual({ ok: true, statusCode: 204, error: null });
    expect(calls[0]!.body).toBe(JSON.stringify(payload));
    expect(calls[0]!.headers).toMatchObject({ 'x-deskmind-delivery': 'd-1', 'x-deskmind-sequence': '1' });
    expect(calls[0]!.headers['x-deskmind-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
  });
});

describe('the bug-report settings built from the trackers', () => {
  it('reads settings stored before trackers were declared on their connectors, secrets kept write-only', () => {
    const stored = {
      insights: {
        bugReports: {
          destination: 'github',
          intents: ['bug_report'],
          minTickets: 3,
          linear: { apiKey: 'lin_api_x', teamId: 'team-eng' },
          github: { token: 'ghp_x', owner: 'acme', repo: 'app', webhookSecret: 'whsec_gh' },
          webhook: {},
          resolveOnClose: false,
          closeReply: 'Fixed.',
        },
      },
    };
    const settings = insightsOf(stored);
    expect(settings.bugReports).toMatchObject(stored.insights.bugReports);
    expect(viewOf(settings).bugReports).toEqual({
      destination: 'github',
      intents: ['bug_report'],
      minTickets: 3,
      linear: { teamId: 'team-eng', apiUrl: null, hasApiKey: true, hasWebhookSecret: false },
      github: { owner: 'acme', repo: 'app', apiUrl: null, hasToken: true, hasWebhookSecret: true },
      webhook: { url: null },
      resolveOnClose: false,
      closeReply: 'Fixed.',
    });
    expect(Object.keys(InsightsSettingsSchema.parse({}).bugReports)).toEqual([
      'destination',
      'intents',
      'minTickets',
      ...TRACKERS.map((t) => t.kind),
      'resolveOnClose',
      'closeReply',
    ]);
    expect(InsightsSettingsSchema.safeParse({ bugReports: { destination: 'jira' } }).success).toBe(false);
    expect(InsightsSettingsSchema.safeParse({ bugReports: { linear: { token: 'x' } } }).success).toBe(false);
  });
});
