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
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => {
    const res = await t.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? (res.json() as any) : null };
  };
  const handedOff = async (id: string) =>
    (await call('GET', `/api/v1/tickets/${id}`)).body.timeline.filter((e: any) => e.type === 'ticket.handed_off');
  const ids = { nancy: '', ann: '' };

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
});
