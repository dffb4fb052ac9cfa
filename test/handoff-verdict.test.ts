import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { backends, openTestDesk, testClock, type TestDesk } from './helpers.js';

const MINUTE = 60_000;

/** Escalation quality end to end: the packet kept at handoff, the agent's verdict on it, and the metrics. */
describe.each(backends())('handoff packet snapshot and verdicts on %s', (kind) => {
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
    return {
      status: res.statusCode,
      type: String(res.headers['content-type'] ?? ''),
      body: res.body ? (res.json() as any) : null,
    };
  };
  const verdict = (id: string, body: unknown, auth = key) =>
    call('POST', `/api/v1/tickets/${id}/handoff-verdict`, body, auth);
  const verdictEvents = async (id: string) =>
    (await call('GET', `/api/v1/tickets/${id}`)).body.timeline.filter(
      (e: any) => e.type === 'outcome.recorded' && e.data.outcome === 'handoff_verdict',
    );
  const handedOff = async (id: string) =>
    (await call('GET', `/api/v1/tickets/${id}`)).body.timeline.filter((e: any) => e.type === 'ticket.handed_off');
  const ids = { nancy: '', ann: '', bob: '' };

  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    ({ apiKey: key, workspaceId: wsId } = await seedDemo(t.desk, { tickets: false }));
    // An enterprise customer on a failing page: the tier guardrail hands it to a person.
    const created = await call('POST', '/api/v1/tickets', {
      subject: 'Production pipelines failing',
      message: {
        text:
          'Since 9am every production pipeline run fails with a 500 error on the warehouse step. I already ' +
          'restarted the scheduler and cleared the cache, it did not help.',
      },
      customer: { email: 'ops@northwind.example', name: 'Nancy Davolio', accountExternalId: 'acc_northwind' },
      pageContext: {
        url: 'https://app.pipewise.example/pipelines/42',
        featureId: 'pipelines',
        recentErrors: ['HTTP 500 POST /api/runs'],
      },
    });
    ids.nancy = created.body.ticket.id;
    await t.desk.runPipeline(wsId, ids.nancy, 'created');
    // A pro customer the assistant answers, who then asks for a person.
    const invoice = await call('POST', '/api/v1/tickets', {
      subject: 'Invoices',
      message: { text: 'Where do I download my invoices?' },
      customer: { email: 'ann@initech.example', name: 'Ann', accountExternalId: 'acc_initech' },
    });
    ids.ann = invoice.body.ticket.id;
    await t.desk.runPipeline(wsId, ids.ann, 'created');
    expect((await call('GET', `/api/v1/tickets/${ids.ann}`)).body.status).toBe('resolved');
    // One the assistant answered and nobody handed off.
    const bob = await call('POST', '/api/v1/tickets', {
      subject: 'Invoices',
      message: { text: 'Where do I download my invoices?' },
      customer: { email: 'bob@initech.example', name: 'Bob', accountExternalId: 'acc_initech' },
    });
    ids.bob = bob.body.ticket.id;
    await t.desk.runPipeline(wsId, ids.bob, 'created');
  });
  afterAll(async () => t?.close());

  it('keeps what the packet showed on the handoff event', async () => {
    const [event] = await handedOff(ids.nancy);
    expect(event.data.reason).toBeTruthy();
    const packet = event.data.packet;
    expect(packet).toMatchObject({
      tier: 'enterprise',
      email: 'ops@northwind.example',
      errors: ['HTTP 500 POST /api/runs'],
      page: { featureId: 'pipelines' },
    });
    expect(packet.tried.join(' ')).toMatch(/restarted the scheduler/);
    expect(packet.ask).toMatch(/500 error/);
    expect(packet.holds).toEqual(
      expect.arrayContaining(['plan', 'billing', 'errors', 'page', 'account', 'steps_tried']),
    );
  });

  it('keeps it too when the customer asks for a person', async () => {
    clock.advance(5 * MINUTE);
    expect((await call('POST', `/api/v1/tickets/${ids.ann}/feedback`, { outcome: 'need_human' })).status).toBe(200);
    const [event] = await handedOff(ids.ann);
    expect(event.data).toMatchObject({
      reason: 'human_requested',
      packet: { tier: 'pro', email: 'ann@initech.example', ask: 'Where do I download my invoices?' },
    });
  });

  it('takes one verdict per person per ticket, a second replacing the first, each on the timeline', async () => {
    const first = await verdict(ids.nancy, {
      verdict: 'missing',
      missing: ['billing', 'billing', 'history'],
      note: ' no invoice ',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({
      ticketId: ids.nancy,
      verdict: 'missing',
      missing: ['billing', 'history'],
      note: 'no invoice',
      replaced: false,
      by: { type: 'integration' },
    });
    clock.advance(MINUTE);
    const second = await verdict(ids.nancy, { verdict: 'had_what_i_needed' });
    expect(second.body).toMatchObject({ verdict: 'had_what_i_needed', missing: [], note: null, replaced: true });
    // another person's verdict stands beside it
    const other = (await call('POST', '/api/v1/api-keys', { name: 'second agent', role: 'agent' })).body.secret;
    expect((await verdict(ids.nancy, { verdict: 'missing', missing: ['page'] }, other)).body.replaced).toBe(false);

    const packet = (await call('GET', `/api/v1/tickets/${ids.nancy}/handoff`)).body;
    expect(packet.verdicts.map((v: any) => [v.verdict, v.missing])).toEqual([
      ['had_what_i_needed', []],
      ['missing', ['page']],
    ]);
    expect(packet.atHandoff).toMatchObject({ tier: 'enterprise', errors: ['HTTP 500 POST /api/runs'] });
    expect((await verdictEvents(ids.nancy)).map((e: any) => [e.data.verdict, e.data.replaced])).toEqual([
      ['missing', false],
      ['had_what_i_needed', true],
      ['missing', false],
    ]);
  });

  it('refuses a verdict on a ticket never handed off, and bad input, changing nothing', async () => {
    const never = await verdict(ids.bob, { verdict: 'had_what_i_needed' });
    expect(never.status).toBe(409);
    expect(never.type).toMatch(/application\/problem\+json/);
    expect(never.body).toMatchObject({ code: 'not_handed_off' });
    expect(await verdictEvents(ids.bob)).toEqual([]);

    for (const bad of [
      { verdict: 'missing' },
      { verdict: 'missing', missing: [] },
      { verdict: 'missing', missing: ['the moon'] },
      { verdict: 'had_what_i_needed', missing: ['page'] },
      { verdict: 'great' },
      { verdict: 'missing', missing: ['page'], note: 'x'.repeat(501) },
      { verdict: 'missing', missing: ['page'], extra: true },
    ]) {
      const res = await verdict(ids.ann, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect(await verdictEvents(ids.ann)).toEqual([]);
    expect((await call('GET', `/api/v1/tickets/${ids.ann}/handoff`)).body.verdicts).toEqual([]);
    expect((await verdict('00000000-0000-4000-8000-000000000000', { verdict: 'had_what_i_needed' })).status).toBe(404);
  });

  it('reports the verdicts and how often a customer had to repeat what the packet held', async () => {
    clock.advance(10 * MINUTE);
    const reply = async (id: string, text: string) =>
      expect((await call('POST', `/api/v1/tickets/${id}/messages`, { text, authorType: 'agent' })).status).toBe(201);
    // nancy's agent asks for her plan and the error, both in the packet; ann's does not ask for anything
    await reply(ids.nancy, 'Hi Nancy, looking into it. Which plan are you on? Could you send me the exact error?');
    await reply(ids.ann, 'Here is where your invoices are: Settings → Billing → Invoices.');
    // an internal note and a reply on a ticket never handed off are not read
    await call('POST', `/api/v1/tickets/${ids.nancy}/messages`, {
      text: 'What is her email?',
      authorType: 'agent',
      visibility: 'internal',
    });
    await reply(ids.bob, 'Which plan are you on?');

    // the packet names the questions that asked again, and why
    const asked = (await call('GET', `/api/v1/tickets/${ids.nancy}/handoff`)).body.askedAgain;
    expect(asked.map((a: any) => [a.question, a.fields])).toEqual([
      ['Which plan are you on?', ['plan']],
      ['Could you send me the exact error?', ['errors']],
    ]);
    expect(asked[0].reason).toMatch(/^Asked about plan or tier, which the packet already showed \(tier enterprise/);
    expect((await call('GET', `/api/v1/tickets/${ids.ann}/handoff`)).body.askedAgain).toEqual([]);

    const q = (await call('GET', '/api/v1/metrics/quality')).body;
    expect(q.total).toMatchObject({
      handoffVerdicts: 2,
      packetHadWhatNeeded: 1,
      packetHadWhatNeededRate: 0.5,
      topMissingFields: [{ field: 'page', count: 1 }],
      handoffsChecked: 2,
      repeatedInfo: 1,
      repeatedInfoRate: 0.5,
      topRepeatedFields: [
        { field: 'plan', count: 1 },
        { field: 'errors', count: 1 },
      ],
    });
    const byTier = (await call('GET', '/api/v1/metrics/quality?groupBy=tier')).body.groups;
    expect(byTier.map((g: any) => [g.key, g.handoffVerdicts, g.handoffsChecked, g.repeatedInfoRate])).toEqual([
      ['enterprise', 2, 1, 1],
      ['pro', 0, 1, 0],
    ]);
    const byWeek = (await call('GET', '/api/v1/metrics/quality?groupBy=week')).body.groups;
    expect(byWeek.map((g: any) => [g.key, g.repeatedInfo, g.packetHadWhatNeededRate])).toEqual([
      ['2026-06-01', 1, 0.5],
    ]);
    const byIntent = (await call('GET', '/api/v1/metrics/quality?groupBy=intent')).body.groups;
    expect(byIntent.reduce((n: number, g: any) => n + g.handoffsChecked, 0)).toBe(2);
  });
});
