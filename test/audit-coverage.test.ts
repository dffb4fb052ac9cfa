/**
 * Every route that writes admin state leaves an audit entry. The routes are enumerated from the server's
 * OpenAPI document, so a new mutating route fails this test until it is given a call below (and so is
 * checked) or is added, with its reason, to the reviewed exemptions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

type Ws = Awaited<ReturnType<typeof newWorkspace>>;
type Call = { url: string; body?: unknown };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
let db: TestDesk['desk']['database'];

/** Mutating routes that do not write admin state (ticket work, customer channels, public webhooks, login), reviewed. */
const EXEMPT: Record<string, string> = {
  'POST /api/v1/tickets': 'ticket work: its events are the record',
  'PATCH /api/v1/tickets/{id}': 'ticket work',
  'POST /api/v1/tickets/{id}/messages': 'ticket work',
  'POST /api/v1/tickets/{id}/feedback': 'ticket work',
  'POST /api/v1/tickets/{id}/draft/approve': 'ticket work',
  'POST /api/v1/tickets/{id}/replay': 'changes nothing',
  'POST /api/v1/tickets/{id}/claim': 'ticket work',
  'POST /api/v1/tickets/{id}/merge': 'ticket work',
  'POST /api/v1/tickets/{id}/ai-feedback': 'ticket work',
  'POST /api/v1/tickets/{id}/handoff-verdict': 'ticket work: its timeline event is the record',
  'POST /api/v1/tickets/{id}/macros/{macroId}': 'ticket work',
  'POST /api/v1/tickets/{id}/csat': 'ticket work',
  'POST /api/v1/accounts': 'customer data (staff), not admin state',
  'PATCH /api/v1/accounts/{id}': 'customer data',
  'PUT /api/v1/accounts/by-external-id/{externalId}': 'customer data',
  'POST /api/v1/customers': 'customer data',
  'PATCH /api/v1/customers/{id}': 'customer data',
  'PUT /api/v1/customers/by-external-id/{externalId}': 'customer data',
  'POST /api/v1/auth/login': 'public: no principal yet',
  'POST /api/v1/auth/logout': "public: ends the caller's own session",
  'POST /api/v1/widget/session': 'public: customer channel',
  'POST /api/v1/widget/tickets': 'public: customer channel',
  'POST /api/v1/widget/tickets/{id}/messages': 'public: customer channel',
  'POST /api/v1/widget/tickets/{id}/feedback': 'public: customer channel',
  'POST /api/v1/insights/webhooks/linear': 'public: signed tracker webhook',
  'POST /api/v1/insights/webhooks/github': 'public: signed tracker webhook',
  'POST /api/v1/integrations/stripe/webhook/{workspaceId}': 'public: signed billing webhook',
  'POST /api/v1/integrations/crm/webhook/{workspaceId}': 'public: signed CRM webhook',
  'POST /api/v1/usage/identify': 'product usage data',
  'POST /api/v1/usage/track': 'product usage data',
  'POST /api/v1/usage/page': 'product usage data',
  'POST /api/v1/usage/screen': 'product usage data',
  'POST /api/v1/usage/batch': 'product usage data',
};

/** One successful call per admin route (setting up what it needs). */
const CALLS: Record<string, (ws: Ws) => Promise<Call>> = {
  'POST /api/v1/settings/signing-secret/rotate': async () => ({ url: '/api/v1/settings/signing-secret/rotate' }),
  'PATCH /api/v1/settings/autonomy': (ws) => roundTrip(ws, '/api/v1/settings/autonomy'),
  'DELETE /api/v1/accounts/{id}': async (ws) => ({
    url: `/api/v1/accounts/${(await ws.call('POST', '/api/v1/accounts', { name: 'Gone Inc' })).body.id}`,
  }),
  'DELETE /api/v1/customers/{id}': async (ws) => ({
    url: `/api/v1/customers/${(await ws.call('POST', '/api/v1/customers', { email: 'gone@audit.test' })).body.id}`,
  }),
  'POST /api/v1/agents': async () => ({
    url: '/api/v1/agents',
    body: { name: 'Ann', email: 'ann@audit.test', password: 'correct horse' },
  }),
  'PATCH /api/v1/agents/{id}': async (ws) => ({
    url: `/api/v1/agents/${await agent(ws, 'pat')}`,
    body: { capacity: 5 },
  }),
  'DELETE /api/v1/agents/{id}': async (ws) => ({ url: `/api/v1/agents/${await agent(ws, 'del')}` }),
  'POST /api/v1/agents/{id}/presence': async (ws) => ({
    url: `/api/v1/agents/${await agent(ws, 'pre')}/presence`,
    body: { status: 'online' },
  }),
  'POST /api/v1/teams': async () => ({ url: '/api/v1/teams', body: { name: 'Billing' } }),
  'PATCH /api/v1/teams/{id}': async (ws) => ({
    url: `/api/v1/teams/${(await ws.call('POST', '/api/v1/teams', { name: 'T1' })).body.id}`,
    body: { name: 'T2' },
  }),
  'DELETE /api/v1/teams/{id}': async (ws) => ({
    url: `/api/v1/teams/${(await ws.call('POST', '/api/v1/teams', { name: 'T3' })).body.id}`,
  }),
  'POST /api/v1/api-keys': async () => ({ url: '/api/v1/api-keys', body: { name: 'ci', role: 'ingest' } }),
  'DELETE /api/v1/api-keys/{id}': async (ws) => ({
    url: `/api/v1/api-keys/${(await ws.call('POST', '/api/v1/api-keys', { name: 'old', role: 'ingest' })).body.key.id}`,
  }),
  'POST /api/v1/articles': async () => ({
    url: '/api/v1/articles',
    body: { title: 'Refunds', body: 'How refunds work.' },
  }),
  'POST /api/v1/articles/import': async () => ({
    url: '/api/v1/articles/import',
    body: [{ title: 'Imported', body: 'Text.' }],
  }),
  'PATCH /api/v1/articles/{id}': async (ws) => ({
    url: `/api/v1/articles/${(await ws.call('POST', '/api/v1/articles', { title: 'A1', body: 'B1' })).body.id}`,
    body: { body: 'B2' },
  }),
  'DELETE /api/v1/articles/{id}': async (ws) => ({
    url: `/api/v1/articles/${(await ws.call('POST', '/api/v1/articles', { title: 'A2', body: 'B2' })).body.id}`,
  }),
  'PUT /api/v1/playbooks/{intent}': async () => ({
    url: '/api/v1/playbooks/billing.refund',
    body: { kind: 'handoff' },
  }),
  'DELETE /api/v1/playbooks/{intent}': async (ws) => {
    await ws.call('PUT', '/api/v1/playbooks/billing.invoice', { kind: 'handoff' });
    return { url: '/api/v1/playbooks/billing.invoice' };
  },
  'POST /api/v1/routing/rules': async () => ({ url: '/api/v1/routing/rules', body: { name: 'R1' } }),
  'PATCH /api/v1/routing/rules/{id}': async (ws) => ({
    url: `/api/v1/routing/rules/${(await ws.call('POST', '/api/v1/routing/rules', { name: 'R2' })).body.id}`,
    body: { enabled: false },
  }),
  'DELETE /api/v1/routing/rules/{id}': async (ws) => ({
    url: `/api/v1/routing/rules/${(await ws.call('POST', '/api/v1/routing/rules', { name: 'R3' })).body.id}`,
  }),
  'PATCH /api/v1/routing/settings': (ws) => roundTrip(ws, '/api/v1/routing/settings'),
  'POST /api/v1/macros': async () => ({ url: '/api/v1/macros', body: { name: 'M1', body: 'Hello' } }),
  'DELETE /api/v1/macros/{id}': async (ws) => ({
    url: `/api/v1/macros/${(await ws.call('POST', '/api/v1/macros', { name: 'M2', body: 'Bye' })).body.id}`,
  }),
  'PATCH /api/v1/sla/policies': (ws) => roundTrip(ws, '/api/v1/sla/policies'),
  'POST /api/v1/learning/thresholds/tune': async () => ({ url: '/api/v1/learning/thresholds/tune' }),
  'PATCH /api/v1/learning/settings': (ws) => roundTrip(ws, '/api/v1/learning/settings'),
  'POST /api/v1/webhooks': async () => ({ url: '/api/v1/webhooks', body: { url: 'https://hooks.example.com/a' } }),
  'PATCH /api/v1/webhooks/{id}': async (ws) => ({
    url: `/api/v1/webhooks/${await endpoint(ws)}`,
    body: { enabled: false },
  }),
  'DELETE /api/v1/webhooks/{id}': async (ws) => ({ url: `/api/v1/webhooks/${await endpoint(ws)}` }),
  'POST /api/v1/webhooks/{id}/rotate-secret': async (ws) => ({
    url: `/api/v1/webhooks/${await endpoint(ws)}/rotate-secret`,
  }),
  'POST /api/v1/deliveries/{id}/replay': async (ws) => {
    await endpoint(ws);
    await ws.call('POST', '/api/v1/tickets', {
      subject: 'Hook me',
      message: { text: 'x' },
      customer: { email: 'hook@audit.test' },
    });
    const [delivery] = (await ws.call('GET', '/api/v1/deliveries')).body.data;
    // As if every attempt had failed (the endpoint's host does not exist): a dead letter to replay.
    await db.executeSql(`update outbox set status = 'dead' where id = $1`, [delivery.id]);
    return { url: `/api/v1/deliveries/${delivery.id}/replay` };
  },
  'PATCH /api/v1/settings/email': async () => ({ url: '/api/v1/settings/email', body: { fromName: 'Support' } }),
  'PATCH /api/v1/settings/widget': async () => ({ url: '/api/v1/settings/widget', body: { title: 'Help' } }),
  'POST /api/v1/settings/widget/rotate': async () => ({ url: '/api/v1/settings/widget/rotate' }),
  'POST /api/v1/insights/topics/refresh': async () => ({ url: '/api/v1/insights/topics/refresh', body: {} }),
  'POST /api/v1/insights/anomalies/scan': async () => ({ url: '/api/v1/insights/anomalies/scan' }),
  'POST /api/v1/insights/bug-reports/refresh': async () => ({ url: '/api/v1/insights/bug-reports/refresh' }),
  'PATCH /api/v1/insights/settings': async (ws) => ({
    url: '/api/v1/insights/settings',
    body: { anomalies: firstPrimitive((await ws.call('GET', '/api/v1/insights/settings')).body.anomalies) },
  }),
  'PATCH /api/v1/integrations/settings': async () => ({
    url: '/api/v1/integrations/settings',
    body: { stripe: { lookups: false } },
  }),
  'POST /api/v1/integrations/crm/import': async () => ({
    url: '/api/v1/integrations/crm/import?kind=accounts',
    body: [{ externalId: 'crm-1', name: 'Crm Co' }],
  }),
};
/** Admin routes whose success needs a vendor this test does not run. They record their entry before they run, so an
 * attempt on an unknown id is checked instead. */
const NEEDS_VENDOR: Record<string, string> = {
  'POST /api/v1/insights/bug-reports/{id}/send': 'needs a bug report and a tracker',
};

let counter = 0;
async function agent(ws: Ws, tag: string): Promise<string> {
  return (await ws.call('POST', '/api/v1/agents', { name: `A ${tag}`, email: `${tag}${counter++}@audit.test` })).body
    .id;
}
async function endpoint(ws: Ws): Promise<string> {
  return (await ws.call('POST', '/api/v1/webhooks', { url: `https://hooks.example.com/${counter++}` })).body.id;
}
function firstPrimitive(settings: Record<string, unknown>): Record<string, unknown> {
  const [k, v] = Object.entries(settings).find(([, x]) => ['number', 'boolean', 'string'].includes(typeof x))!;
  return { [k]: v };
}
/** A settings PATCH that sends back one of the current values. */
async function roundTrip(ws: Ws, url: string): Promise<Call> {
  return { url, body: firstPrimitive((await ws.call('GET', url)).body) };
}

describe.each(backends())('audit coverage (%s)', (kind) => {
  let t: TestDesk;
  let ws: Ws;
  let operations: string[];
  beforeAll(async () => {
    t = await openTestDesk(kind);
    ws = await newWorkspace(t, 'Audited');
    db = t.desk.database;
    await t.server.ready();
    const doc = t.server.swagger() as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
  });
  afterAll(async () => t?.close());

  it('knows every mutating route: each is audited here or exempt with a reason', () => {
    const unknown = operations.filter((op) => !(op in CALLS) && !(op in EXEMPT) && !(op in NEEDS_VENDOR));
    expect(unknown, 'new mutating routes: add a call to CALLS (admin state) or a reviewed reason to EXEMPT').toEqual(
      [],
    );
    const stale = [...Object.keys(CALLS), ...Object.keys(EXEMPT), ...Object.keys(NEEDS_VENDOR)].filter(
      (op) => !operations.includes(op),
    );
    expect(stale).toEqual([]);
  });

  it('leaves an audit entry for every admin-state route, with its status', async () => {
    const missing: string[] = [];
    for (const [op, make] of Object.entries(CALLS)) {
      const [method, path] = op.split(' ') as ['POST' | 'PUT' | 'PATCH' | 'DELETE', string];
      const call = await make(ws);
      const res = await ws.call(method, call.url, call.body);
      expect(res.status, `${op}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      const action = `${method} ${path.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1')}`;
      const entries = (await ws.call('GET', `/api/v1/audit-log?kind=admin&action=${encodeURIComponent(action)}`)).body
        .entries as { action: string; status: number }[];
      if (!entries.some((e) => e.action === action && e.status === res.status)) missing.push(op);
    }
    for (const op of Object.keys(NEEDS_VENDOR)) {
      const [method, path] = op.split(' ') as ['POST', string];
      let res = await ws.call(method, path.replace(/\{\w+\}/g, UNKNOWN_ID));
      // Refused before the handler ran (rate limit, database briefly unavailable under the suite's load): nothing
      // changed, so there is nothing to audit; ask again once.
      if ([429, 503].includes(res.status)) res = await ws.call(method, path.replace(/\{\w+\}/g, UNKNOWN_ID));
      const action = `${method} ${path.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1')}`;
      const entries = (await ws.call('GET', `/api/v1/audit-log?kind=admin&action=${encodeURIComponent(action)}`)).body
        .entries as { action: string; status: number }[];
      // Its final status is written before the reply goes out (an entry left at 202 means it was never settled).
      if (!entries.some((e) => e.action === action && e.status === res.status))
        missing.push(`${op} (answered ${res.status})`);
    }
    expect(missing).toEqual([]);
  });
});
