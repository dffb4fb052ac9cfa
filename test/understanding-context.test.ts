import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { stripeEvent, stripeInvoice, stripeSubscription } from './fakes/stripe-server.js';
import { openTestDesk, type TestDesk } from './helpers.js';

const WHSEC = 'whsec_test_secret_for_understanding_01';
const now = () => Math.floor(Date.now() / 1000);

/** The ask found in messy messages, and what Deskmind knows reaching the answer, through the HTTP API on the demo. */
describe('understanding in context (demo workspace)', () => {
  let t: TestDesk;
  let key: string;
  let wsId: string;
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, body?: unknown) => {
    const res = await t.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.json() as any };
  };
  const ask = async (
    subject: string,
    text: string,
    customer: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => {
    const created = await call('POST', '/api/v1/tickets', { subject, message: { text }, customer, ...extra });
    expect(created.status).toBe(201);
    await t.desk.runPipeline(wsId, created.body.ticket.id, 'created');
    return (await call('GET', `/api/v1/tickets/${created.body.ticket.id}`)).body;
  };
  const stage = (detail: any, name: string) => detail.decisions.filter((d: any) => d.stage === name).at(-1)?.result;
  const reply = (detail: any) =>
    detail.messages.find((m: any) => m.authorType === 'assistant' && m.visibility === 'public');

  beforeAll(async () => {
    t = await openTestDesk('pglite');
    ({ apiKey: key, workspaceId: wsId } = await seedDemo(t.desk, { tickets: false }));
  });
  afterAll(async () => t?.close());

  const pro = { email: 'maria@initech.example', name: 'Maria Lopez', accountExternalId: 'acc_initech' };

  it('answers a question buried in a long e-mail thread as if it were short', async () => {
    const story = Array.from(
      { length: 30 },
      (_, i) =>
        `In week ${i + 1} our analytics team reviewed the dashboards with the marketing group and planned the ` +
        `next campaign together.`,
    ).join(' ');
    const text = [
      'Hi team, Maria here.',
      '',
      story,
      '',
      "Anyway, I forgot my password and can't log in. How do I reset it?",
      '',
      'Best regards,',
      'Maria Lopez',
      'Head of Analytics, Initech',
      '',
      'On Mon, 3 Jun 2024 at 10:12, Pipewise Support <support@pipewise.example> wrote:',
      '> Thanks for your feedback about the new dashboards, we passed it on.',
    ].join('\n');
    const detail = await ask('Re: dashboards feedback', text, pro);
    const understood = stage(detail, 'understand');
    expect(understood.ask.reduced).toBe(true);
    expect(understood.ask.query).toMatch(/forgot my password/);
    expect(understood.ask.removed.quotedLines).toBe(2);
    expect(understood.ask.removed.signOff).toBe('Best regards,');
    expect(understood.ask.references.name).toBe('Maria');
    expect(understood.intent.intent).toBe('password_reset');
    expect(understood.intent.multiIntent).toBeNull();
    // Decided as if it were short: the same decision and the same answer judgement as the ask sent alone.
    const short = await ask('Password', "Anyway, I forgot my password and can't log in. How do I reset it?", {
      email: 'solo@initech.example',
      name: 'Sam Solo',
      accountExternalId: 'acc_initech',
    });
    expect(stage(detail, 'decide').failed).toEqual(stage(short, 'decide').failed);
    expect(detail.status).toBe(short.status);
    expect(stage(detail, 'resolve')?.verification?.features).toEqual(stage(short, 'resolve')?.verification?.features);
    expect(stage(detail, 'retrieve').passages[0].title).toBe(stage(short, 'retrieve').passages[0].title);
  });

  it('does not read a greeting with a name, an order number or a sign-off as a second question', async () => {
    const detail = await ask(
      'Password',
      "hello, Maria here.\nOrder #884213\nI forgot my password and can't log in.\n\nThanks,\nMaria",
      pro,
    );
    const understood = stage(detail, 'understand');
    expect(understood.ask.query).toBe("I forgot my password and can't log in.");
    expect(understood.ask.references.orderNumbers).toEqual(['884213']);
    expect(stage(detail, 'decide').failed).not.toContain('single_intent');
  });

  it(
    'tells a past-due customer who is locked out that the payment failed, when, and where to pay (Stripe ' +
      'webhooks)',
    async () => {
      expect((await call('PATCH', '/api/v1/integrations/settings', { stripe: { webhookSecret: WHSEC } })).status).toBe(
        200,
      );
      await call('POST', '/api/v1/customers', {
        email: 'kim@hooli.example',
        name: 'Kim Park',
        accountExternalId: 'acc_hooli',
      });
      await call('POST', '/api/v1/accounts', {
        name: 'Hooli',
        externalId: 'acc_hooli',
        tier: 'pro',
        mrr: 49,
        billingState: 'active',
      });
      const send = async (event: unknown) => {
        const payload = JSON.stringify(event);
        const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: WHSEC, timestamp: now() });
        const res = await t.server.inject({
          method: 'POST',
          url: `/api/v1/integrations/stripe/webhook/${wsId}`,
          headers: { 'content-type': 'application/json', 'stripe-signature': header },
          payload,
        });
        expect(res.statusCode, res.body).toBeLessThan(300);
        return res.json();
      };
      const t0 = now() - 600;
      await send(
        stripeEvent(
          'evt_cus',
          'customer.updated',
          { id: 'cus_hooli', object: 'customer', email: 'kim@hooli.example', name: 'Hooli', metadata: {} },
          t0,
        ),
      );
      await send(
        stripeEvent(
          'evt_sub',
          'customer.subscription.created',
          stripeSubscription({
            id: 'sub_hooli',
            customer: 'cus_hooli',
            status: 'active',
            unitAmount: 4900,
            quantity: 5,
            nickname: 'Pro',
          }),
          t0 + 1,
        ),
      );
      const failed = await send(
        stripeEvent(
          'evt_fail',
          'invoice.payment_failed',
          stripeInvoice({
            id: 'in_hooli_1',
            customer: 'cus_hooli',
            email: 'kim@hooli.example',
            status: 'open',
            amountDue: 4900,
          }),
          t0 + 2,
        ),
      );
      expect(failed).toMatchObject({ state: 'past_due' });

      // An admin trusts the failed-payment playbook from 0.6 (the workspace default is 0.9).
      expect(
        (
          await call('PUT', '/api/v1/playbooks/billing_failed_payment', {
            kind: 'answer',
            mode: 'auto',
            threshold: 0.6,
          })
        ).status,
      ).toBeLessThan(300);
      const detail = await ask('Locked', 'Why has our account been locked? Nobody on the team can get in.', {
        email: 'kim@hooli.example',
        name: 'Kim Park',
        accountExternalId: 'acc_hooli',
      });
      const understood = stage(detail, 'understand');
      expect(understood.context.billingState).toBe('past_due');
      expect(understood.intent.intent).toBe('billing_failed_payment');
      expect(understood.intentAdjusted).toMatch(/failed payment/);
      expect(
        detail.status,
        JSON.stringify([
          stage(detail, 'decide').failed,
          understood.ask.query,
          understood.intent.confidence,
          understood.intent.alternatives,
          understood.intentAdjusted,
        ]),
      ).toBe('resolved');
      const text = reply(detail).text as string;
      expect(text).toMatch(/payment of USD 49\.00 for invoice in_hooli_1 failed on \d{4}-\d{2}-\d{2}/);
      expect(text).toContain('https://invoice.stripe.com/i/in_hooli_1');
      // The billing facts answer the ask; the article is quoted only when the answer check finds that it answers too.

      // The handoff brief carries the same facts.
      const packet = (await call('GET', `/api/v1/tickets/${detail.id}/handoff`)).body;
      expect(packet.brief.ask).toMatch(/Why has our account been locked\?/);
      expect(packet.brief.facts.join(' ')).toMatch(/past_due; the payment of USD 49\.00 for invoice in_hooli_1 failed/);
      expect(packet.summary[0]).toMatch(/^Ask: /);
    },
  );
});
