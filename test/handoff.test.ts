import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { alreadyTried, briefOf } from '../src/handoff/summary.js';
import { openTestDesk, type TestDesk } from './helpers.js';

describe('handoff packet', () => {
  let t: TestDesk;
  let key: string;
  let wsId: string;
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => {
    const res = await t.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return res.json() as any;
  };
  beforeAll(async () => {
    t = await openTestDesk('pglite');
    ({ apiKey: key, workspaceId: wsId } = await seedDemo(t.desk, { tickets: false }));
  });
  afterAll(async () => t?.close());

  it('briefs the human on a real multi-message conversation', async () => {
    // An earlier ticket about the same failure, resolved by an agent.
    const old = await call('POST', '/api/v1/tickets', {
      subject: 'Runs fail with 500 error',
      message: { text: 'Our pipeline runs fail with a 500 error after the 4.11 upgrade.' },
      customer: { email: 'someone@globex.example' },
    });
    await call('POST', `/api/v1/tickets/${old.ticket.id}/messages`, {
      authorType: 'agent',
      text:
        'The 500 error came from an expired warehouse credential. Rotate it under Settings → Connections and ' +
        'rerun.',
    });
    await call('PATCH', `/api/v1/tickets/${old.ticket.id}`, { status: 'resolved' });

    const created = await call('POST', '/api/v1/tickets', {
      subject: 'Production pipelines failing',
      message: {
        text:
          'Hi team. Since 9am every production pipeline run fails with a 500 error on the warehouse step. I ' +
          'already restarted the scheduler and cleared the cache, it did not help. We have a board meeting at noon ' +
          'and need the numbers.',
      },
      customer: { email: 'ops@northwind.example', name: 'Nancy Davolio', accountExternalId: 'acc_northwind' },
      pageContext: {
        url: 'https://app.pipewise.example/pipelines/42',
        featureId: 'pipelines',
        appVersion: '4.12.0',
        recentErrors: ['HTTP 500 POST /api/runs'],
      },
    });
    const id = created.ticket.id;
    await t.desk.runPipeline(wsId, id, 'created');
    await call('POST', `/api/v1/tickets/${id}/messages`, {
      text: 'Still broken!!! This is the third time this month, absolutely unacceptable. We are losing data.',
    });
    await t.desk.runPipeline(wsId, id, 'customer_message');

    const packet = await call('GET', `/api/v1/tickets/${id}/handoff`);
    expect(packet.summary.length).toBeGreaterThan(0);
    expect(packet.summary.join(' ')).toMatch(/500 error/);
    expect(packet.alreadyTried.join(' ')).toMatch(/restarted the scheduler/);
    expect(packet.whyHandedOff.reason).toBeTruthy();
    expect(packet.whyHandedOff.failed).toContain('tier_allowed');
    expect(packet.intent.intent).toBeTruthy();
    expect(packet.intent.alternatives.length).toBeGreaterThan(0);
    expect(packet.sentiment.trend).toHaveLength(2);
    expect(packet.sentiment.direction).toBe('worsening');
    expect(packet.sentiment.cues.join(' ')).toMatch(/frustration|anger/);
    expect(packet.account).toMatchObject({ tier: 'enterprise', mrr: 4800, billingState: 'active' });
    expect(packet.customer).toMatchObject({ name: 'Nancy Davolio' });
    expect(packet.page).toMatchObject({ featureId: 'pipelines', appVersion: '4.12.0' });
    expect(packet.similarResolved[0]).toMatchObject({ id: old.ticket.id });
    expect(packet.similarResolved[0].resolution).toMatch(/expired warehouse credential/);
    expect(Array.isArray(packet.relevantArticles)).toBe(true);
  });

  it(
    'explains the hand-off in plain words, says how the customer sounds, offers a reply, and names a ' + 'reopen',
    async () => {
      const created = await call('POST', '/api/v1/tickets', {
        subject: 'Refund please',
        message: {
          text: 'Please refund the duplicate charge on my last invoice, this is the third time I am asking!!',
        },
        customer: { email: 'maria@initech.example', name: 'Maria Lopez', accountExternalId: 'acc_initech' },
      });
      const id = created.ticket.id;
      await t.desk.runPipeline(wsId, id, 'created');
      const packet = await call('GET', `/api/v1/tickets/${id}/handoff`);
      const why = packet.whyHandedOff;
      expect(why.text).not.toMatch(/_/); // no codes in the sentence
      expect(why.failedChecks.length).toBeGreaterThan(0);
      for (const f of why.failedChecks) expect(f.text).toMatch(/^[A-Z].*\.$/);
      if (packet.intent.intent === 'billing_refund')
        expect(why.failedChecks.map((f: { text: string }) => f.text)).toContain(
          'Refund request always goes to a person (playbook).',
        );
      expect(packet.sentiment.summary).toMatch(/^Frustrated \("third time/);
      // The pipeline did not compose a reply, so the packet drafts one from the best passages.
      if (packet.relevantArticles.length)
        expect(packet.suggestedReply).toMatchObject({ source: expect.stringMatching(/assistant|passages/) });
      // The customer writes again after it was resolved: the reason is the reopen, not the old guardrail.
      await call('PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' });
      await call('POST', `/api/v1/tickets/${id}/messages`, { text: 'It is still not refunded.' });
      const after = await call('GET', `/api/v1/tickets/${id}/handoff`);
      expect(after.whyHandedOff).toMatchObject({ reason: 'reopened', text: 'Reopened by the customer.' });
    },
  );

  it('drafts a suggested reply from the passages when the assistant did not answer', async () => {
    const created = await call('POST', '/api/v1/tickets', {
      subject: 'Export run history',
      message: { text: 'How do I export my run history as a CSV file? I want to talk to a human please.' },
      customer: { email: 'gavin@hooli.example', name: 'Gavin Belson', accountExternalId: 'acc_hooli' },
    });
    await t.desk.runPipeline(wsId, created.ticket.id, 'created');
    const packet = await call('GET', `/api/v1/tickets/${created.ticket.id}/handoff`);
    expect(packet.whyHandedOff).toMatchObject({
      reason: 'human_not_requested',
      text: 'The customer asked for a person.',
    });
    expect(packet.relevantArticles.length).toBeGreaterThan(0);
    expect(packet.suggestedReply).toMatchObject({ source: 'passages' });
    expect(packet.suggestedReply.text).toMatch(/^Hi Gavin,/);
    expect(packet.suggestedReply.sources.length).toBeGreaterThan(0);
  });

  it('briefs extractively and finds what was tried', () => {
    const conversation = [
      'Hello! I cannot export the run history of my pipeline to CSV. The Export button is greyed out on the Runs tab.',
      'I tried another browser and cleared my cookies. The export button is still greyed out. Is CSV export part ' +
        'of my plan?',
    ];
    const brief = briefOf({
      messages: conversation,
      facts: [],
      trend: [],
      direction: 'unknown',
      cues: [],
      similar: [],
      intent: null,
    });
    expect(brief.ask).toBe('Is CSV export part of my plan?');
    expect(alreadyTried(conversation)).toEqual(['I tried another browser and cleared my cookies.']);
  });
});
