import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { tuneThresholdsIfDue } from '../src/learning/thresholds.js';
import { metricsRoutes } from '../src/server/routes/metrics/index.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

const HOUR = 3_600_000;

/** Quality and learning metrics end to end on the demo workspace, with a controllable clock. */
describe.each(backends())('metrics and threshold tuning on %s', (kind) => {
  let t: TestDesk;
  let key: string;
  let wsId: string;
  const clock = testClock(new Date('2026-06-01T09:00:00.000Z'));
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, auth = key) => {
    const res = await t.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${auth}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? (res.json() as any) : null };
  };
  const ask = async (text: string, customer: Record<string, unknown>) => {
    const created = await call('POST', '/api/v1/tickets', { subject: 'Question', message: { text }, customer });
    expect(created.status).toBe(201);
    await t.desk.runPipeline(wsId, created.body.ticket.id, 'created');
    return (await call('GET', `/api/v1/tickets/${created.body.ticket.id}`)).body;
  };
  const invoice = (n: string) =>
    ask('Where do I download my invoices?', {
      email: `${n}@initech.example`,
      name: n,
      accountExternalId: 'acc_initech',
    });
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    // Until the server registers them itself.
    if (!t.server.hasRoute({ method: 'GET', url: '/api/v1/metrics/quality' }))
      await t.server.register(metricsRoutes(t.desk), { prefix: '/api/v1' });
    const demo = await seedDemo(t.desk, { tickets: false });
    key = demo.apiKey;
    wsId = demo.workspaceId;

    for (const n of ['ann', 'bob', 'cat', 'dan']) {
      const detail = await invoice(n);
      expect(detail.status, n).toBe('resolved');
      expect(detail.tags).toContain('ai_answered');
      ids[n] = detail.id;
    }
    const angry = await ask(
      "I forgot my password and can't log in. This is the THIRD time, absolutely unacceptable!!!",
      { email: 'ops@northwind.example', name: 'Nancy', accountExternalId: 'acc_northwind' },
    );
    expect(angry.status).toBe('open');
    ids.eve = angry.id;

    clock.advance(HOUR / 2);
    // bob writes back (a reopen), cat confirms and rates, dan asks for a human, eve gets an agent's answer.
    expect(
      (await call('POST', `/api/v1/tickets/${ids.bob}/messages`, { text: 'That did not help, the page is empty' })).body
        .ticket.status,
    ).toBe('open');
    expect((await call('POST', `/api/v1/tickets/${ids.cat}/feedback`, { outcome: 'solved' })).status).toBe(200);
    expect((await call('POST', `/api/v1/tickets/${ids.dan}/feedback`, { outcome: 'need_human' })).status).toBe(200);
    expect(
      (
        await call('POST', `/api/v1/tickets/${ids.eve}/messages`, {
          text: 'Sending you a reset link now.',
          authorType: 'agent',
        })
      ).status,
    ).toBe(201);
    expect((await call('POST', `/api/v1/tickets/${ids.cat}/csat`, { rating: 4, comment: 'Quick' })).status).toBe(201);
    expect((await call('POST', `/api/v1/tickets/${ids.bob}/csat`, { rating: 2 })).status).toBe(201);
    // A person confirms ann's intent and relabels eve's.
    expect((await call('PATCH', `/api/v1/tickets/${ids.ann}`, { intent: 'billing_invoice' })).status).toBe(200);
    expect((await call('PATCH', `/api/v1/tickets/${ids.eve}`, { intent: 'account_access' })).status).toBe(200);
    clock.advance(HOUR * 1.5);
    expect((await call('PATCH', `/api/v1/tickets/${ids.eve}`, { status: 'resolved' })).status).toBe(200);
  });
  afterAll(async () => t?.close());

  it('keeps answers pending until their window is over', async () => {
    const q = (await call('GET', '/api/v1/metrics/quality')).body;
    expect(q.total.aiOutcomes).toMatchObject({
      pending: 1,
      reopened: 1,
      confirmed: 1,
      asked_for_human: 1,
      no_reply: 0,
    });
    expect(q.total.aiResolved).toBe(1);
  });

  it('reports quality with resolution apart from deflection', async () => {
    clock.advance(80 * HOUR);
    const res = await call('GET', '/api/v1/metrics/quality');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const total = res.body.total;
    expect(total).toMatchObject({
      key: null,
      tickets: 5,
      aiAnswered: 4,
      deflectionRate: 0.8,
      aiResolved: 2,
      resolutionRate: 0.4,
      aiOutcomes: { confirmed: 1, no_reply: 1, reopened: 1, asked_for_human: 1, marked_wrong: 0, pending: 0 },
      resolved: 5,
      firstContactResolved: 3,
      firstContactResolutionRate: 0.6,
      reopened: 2,
      reopenRate: 0.4,
      escalated: 2,
      escalationRate: 0.4,
      medianFirstResponseMinutes: 0,
      medianResolutionMinutes: 0,
      csat: { average: 3, count: 2 },
    });
    // eve's agent replied half an hour after her handoff; nobody has replied to dan's request for a human yet
    expect(total).toMatchObject({ handoffsReplied: 1, medianHandoffReplyMinutes: 30, p90HandoffReplyMinutes: 30 });
    expect(total.routedCorrectly).toBe(total.routed);
    expect(res.body.windowHours).toBe(72);
  });

  it('groups by intent, tier and week', async () => {
    const byIntent = (await call('GET', '/api/v1/metrics/quality?groupBy=intent')).body;
    expect(byIntent.groups.map((g: any) => [g.key, g.tickets, g.aiResolved])).toEqual([
      ['account_access', 1, 0],
      ['billing_invoice', 4, 2],
    ]);
    const byTier = (await call('GET', '/api/v1/metrics/quality?groupBy=tier')).body;
    expect(byTier.groups.map((g: any) => [g.key, g.tickets, g.escalated])).toEqual([
      ['enterprise', 1, 1],
      ['pro', 4, 1],
    ]);
    const byWeek = (await call('GET', '/api/v1/metrics/quality?groupBy=week')).body;
    expect(byWeek.groups.map((g: any) => [g.key, g.tickets])).toEqual([['2026-06-01', 5]]);
    const empty = (await call('GET', '/api/v1/metrics/quality?from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z')).body;
    expect(empty.total).toMatchObject({ tickets: 0, resolutionRate: null, csat: { average: null, count: 0 } });
    expect((await call('GET', '/api/v1/metrics/quality?groupBy=agent')).status).toBe(400);
  });

  it('counts a person moving a routed ticket as a routing miss', async () => {
    // eve was routed when handed off; nobody moved her since.
    expect((await call('GET', '/api/v1/metrics/quality')).body.total).toMatchObject({
      routed: 1,
      routedCorrectly: 1,
      routingAccuracy: 1,
      unassigned: 0,
      unassignedRate: 0,
    });
    const routedTo = (await call('GET', `/api/v1/tickets/${ids.eve}`)).body.teamId;
    const other = (await call('GET', '/api/v1/teams')).body.data.find((x: any) => x.id !== routedTo);
    expect((await call('PATCH', `/api/v1/tickets/${ids.eve}`, { teamId: other.id })).status).toBe(200);
    expect((await call('GET', '/api/v1/metrics/quality')).body.total).toMatchObject({
      routed: 1,
      routedCorrectly: 0,
      routingAccuracy: 0,
    });
  });

  it('reports intent accuracy against human labels per week', async () => {
    const res = await call('GET', '/api/v1/metrics/learning');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.intentAccuracy).toMatchObject({ labelled: 2, correct: 1, accuracy: 0.5 });
    expect(res.body.intentAccuracy.weeks).toEqual([
      {
        week: '2026-06-01',
        labelled: 2,
        correct: 1,
        accuracy: 0.5,
        modelVersions: [expect.stringMatching(/^intent@\d+$/)],
      },
    ]);
    expect(res.body.models.length).toBeGreaterThan(0);
  });

  it('shows thresholds with evidence, and holds with too few samples', async () => {
    const res = await call('GET', '/api/v1/learning/thresholds');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const invoices = res.body.proposals.find((p: any) => p.intent === 'billing_invoice');
    expect(invoices).toMatchObject({
      action: 'hold',
      reason: 'too_few_samples',
      current: 0.9,
      atCurrent: { n: 4, successes: 2 },
    });
    const tuned = await call('POST', '/api/v1/learning/thresholds/tune');
    expect(tuned.body.changes).toEqual([]);
  });

  it('raises a threshold when answers stop holding, through the logged autonomy settings', async () => {
    const agentKey = (await call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' })).body.secret;
    expect((await call('PATCH', '/api/v1/learning/settings', { minSamples: 5 }, agentKey)).status).toBe(403);
    expect((await call('POST', '/api/v1/learning/thresholds/tune', undefined, agentKey)).status).toBe(403);
    expect((await call('PATCH', '/api/v1/learning/settings', { floor: 0.99, ceiling: 0.5 })).status).toBe(400);
    // `*` pins the workspace's default threshold (the tuner never moves it anyway)
    expect(
      (await call('PATCH', '/api/v1/learning/settings', { minSamples: 5, pinnedIntents: ['billing_invoice', '*'] }))
        .body,
    ).toMatchObject({ minSamples: 5, pinnedIntents: ['billing_invoice', '*'] });
    const fay = await invoice('fay');
    clock.advance(HOUR);
    await call('POST', `/api/v1/tickets/${fay.id}/feedback`, { outcome: 'need_human' });
    clock.advance(80 * HOUR);
    // Pinned: the evidence says raise, the pin holds.
    expect(
      (await call('POST', '/api/v1/learning/thresholds/tune')).body.proposals.find(
        (p: any) => p.intent === 'billing_invoice',
      ),
    ).toMatchObject({ action: 'hold', reason: 'pinned', atCurrent: { n: 5, successes: 2 } });
    await call('PATCH', '/api/v1/learning/settings', { pinnedIntents: ['*'] });
    const tuned = (await call('POST', '/api/v1/learning/thresholds/tune')).body;
    expect(tuned.proposals[0]).toMatchObject({ intent: '*', action: 'hold', reason: 'pinned' });
    expect(tuned.changes).toEqual([
      expect.objectContaining({
        intent: 'billing_invoice',
        action: 'raise',
        current: 0.9,
        proposed: 0.99,
        atCurrent: expect.objectContaining({ n: 5, successes: 2 }),
      }),
    ]);
    expect((await call('GET', '/api/v1/settings/autonomy')).body.intentThresholds.billing_invoice).toBe(0.99);
    const events = await t.desk.database.executeSql(
      `select data from events where workspace_id = $1 and type = 'settings.changed' order by id`,
      [wsId],
    );
    const sections = events.rows.map((r: any) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data));
    const autonomy = sections.filter((d: any) => d.section === 'autonomy').at(-1);
    // the first tuning run gave the intent its own threshold (it had evidence), at the starting level
    expect(autonomy.before.intentThresholds.billing_invoice).toBe(0.9);
    expect(autonomy.after.intentThresholds.billing_invoice).toBe(0.99);
    expect(sections.filter((d: any) => d.section === 'thresholds.tuned').at(-1).changes[0].atCurrent.n).toBe(5);
  });

  it('tunes from the sweep at most once a day, and not when disabled', async () => {
    const sweep = () => t.desk.tx(wsId, { type: 'system', id: null }, (ctx) => tuneThresholdsIfDue(ctx));
    expect(await sweep()).toBeNull(); // the manual run above counts
    clock.advance(25 * HOUR);
    expect(await sweep()).toEqual({ changes: [] });
    expect(await sweep()).toBeNull();
    clock.advance(25 * HOUR);
    await call('PATCH', '/api/v1/learning/settings', { enabled: false });
    expect(await sweep()).toBeNull();
    await call('PATCH', '/api/v1/learning/settings', { enabled: true });
  });

  it('keeps every endpoint inside its workspace', async () => {
    const other = await newWorkspace(t, 'Other');
    const q = await other.call('GET', '/api/v1/metrics/quality');
    expect(q.body.total).toMatchObject({ tickets: 0, aiAnswered: 0 });
    expect((await other.call('GET', '/api/v1/metrics/learning')).body.intentAccuracy.labelled).toBe(0);
    // only the workspace level, without evidence
    expect((await other.call('GET', '/api/v1/learning/thresholds')).body.proposals).toEqual([
      expect.objectContaining({
        intent: '*',
        action: 'hold',
        reason: 'starting_threshold',
        atCurrent: { at: 0.9, n: 0, successes: 0, wilsonLower: 0 },
      }),
    ]);
    expect((await other.call('POST', `/api/v1/tickets/${ids.cat}/csat`, { rating: 1 })).status).toBe(404);
    expect((await other.call('POST', '/api/v1/learning/thresholds/tune')).body.changes).toEqual([]);
    expect((await other.call('GET', '/api/v1/settings/autonomy')).body.intentThresholds).toEqual({});
    expect((await call('GET', '/api/v1/metrics/quality')).body.total.csat).toEqual({ average: 3, count: 2 });
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = (await t.server.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    for (const p of [
      '/api/v1/metrics/quality',
      '/api/v1/metrics/learning',
      '/api/v1/learning/thresholds',
      '/api/v1/learning/thresholds/tune',
      '/api/v1/learning/settings',
      '/api/v1/tickets/{id}/csat',
    ])
      expect(doc.paths).toHaveProperty([p]);
  });

  it('lets ingest keys rate, not read metrics', async () => {
    const ingest = (await call('POST', '/api/v1/api-keys', { name: 'widget', role: 'ingest' })).body.secret;
    expect((await call('POST', `/api/v1/tickets/${ids.ann}/csat`, { rating: 6 }, ingest)).status).toBe(400);
    expect((await call('POST', `/api/v1/tickets/${ids.ann}/csat`, { rating: 5 }, ingest)).status).toBe(201);
    expect((await call('GET', '/api/v1/metrics/quality', undefined, ingest)).status).toBe(403);
  });
});
