import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCrmWebhook } from '../src/connectors/crm.js';
import { startHubspotServer, type FakeHubspot } from './fakes/hubspot-server.js';
import {
  startStripeServer,
  stripeEvent,
  stripeInvoice,
  stripeSubscription,
  type FakeStripe,
} from './fakes/stripe-server.js';
import { newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

const SK = 'sk_test_51DeskmindFakeKey0000000000';
const WHSEC = 'whsec_test_secret_for_deskmind_0001';
const HS_TOKEN = 'pat-na1-00000000-0000-4000-8000-000000000001';
const now = () => Math.floor(Date.now() / 1000);

type Ws = Awaited<ReturnType<typeof newWorkspace>>;

describe('integrations: billing, CRM, usage', () => {
  let t: TestDesk;
  let stripe: FakeStripe;
  let hubspot: FakeHubspot;

  beforeAll(async () => {
    stripe = await startStripeServer(SK);
    hubspot = await startHubspotServer(HS_TOKEN);
    t = await openTestDesk('pglite', {
      config: { stripeApiUrl: stripe.origin, hubspotApiUrl: hubspot.origin, enrichTimeoutMs: 60_000 },
    });
  });
  afterAll(async () => {
    await t?.close();
    await stripe?.close();
    await hubspot?.close();
  });

  const sendStripe = (
    workspaceId: string,
    event: unknown,
    opts: { secret?: string; timestamp?: number; header?: string; payload?: string } = {},
  ) => {
    const payload = JSON.stringify(event);
    const header =
      opts.header ??
      Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: opts.secret ?? WHSEC,
        timestamp: opts.timestamp ?? now(),
      });
    return t.server.inject({
      method: 'POST',
      url: `/api/v1/integrations/stripe/webhook/${workspaceId}`,
      headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
      payload: opts.payload ?? payload,
    });
  };
  const ticket = async (ws: Ws, email: string, text: string, extra: Record<string, unknown> = {}) => {
    const res = await ws.call('POST', '/api/v1/tickets', {
      subject: text.slice(0, 40),
      message: { text },
      customer: { email },
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body.ticket.id as string;
  };
  const latest = (detail: any, stage: string) =>
    [...detail.decisions].reverse().find((d: any) => d.stage === stage)?.result;

  describe('Stripe', () => {
    let ws: Ws;
    let accountId: string;
    beforeAll(async () => {
      ws = await newWorkspace(t, 'Billing Co');
      const set = await ws.call('PATCH', '/api/v1/integrations/settings', {
        stripe: { secretKey: SK, webhookSecret: WHSEC },
      });
      expect(set.status).toBe(200);
      accountId = (
        await ws.call('POST', '/api/v1/accounts', {
          name: 'Acme',
          externalId: 'acme',
          tier: 'pro',
          mrr: 100,
          billingState: 'active',
        })
      ).body.id;
      await ws.call('POST', '/api/v1/customers', {
        email: 'kim@acme.example',
        name: 'Kim Lee',
        accountExternalId: 'acme',
      });
      // Subscription events name the customer by id only: Deskmind asks Stripe who it is.
      stripe.customers.push({
        id: 'cus_acme',
        object: 'customer',
        email: 'kim@acme.example',
        name: 'Acme Inc',
        metadata: {},
      });
    });

    it(
      'keeps the billing state current from signed events and carries a failed payment into understanding and ' +
        'the handoff packet',
      async () => {
        const t0 = now() - 120;
        const sub = stripeSubscription({
          id: 'sub_1',
          customer: 'cus_acme',
          status: 'active',
          unitAmount: 4900,
          quantity: 5,
          nickname: 'Pro',
        });
        const created = await sendStripe(
          ws.workspaceId,
          stripeEvent('evt_sub_created', 'customer.subscription.created', sub, t0),
        );
        expect(created.statusCode).toBe(200);
        expect(created.json()).toMatchObject({ received: true, result: 'applied', state: 'active' });
        expect(stripe.requests.some((r) => r.path === '/v1/customers/cus_acme' && r.auth === `Bearer ${SK}`)).toBe(
          true,
        );
        expect((await ws.call('GET', `/api/v1/accounts/${accountId}`)).body).toMatchObject({
          plan: 'Pro',
          mrr: 245,
          seats: 5,
          billingState: 'active',
        });

        const invoice = stripeInvoice({
          id: 'in_failed_1',
          customer: 'cus_acme',
          email: 'kim@acme.example',
          status: 'open',
          amountDue: 24500,
          attemptCount: 1,
        });
        const failed = await sendStripe(
          ws.workspaceId,
          stripeEvent('evt_inv_failed', 'invoice.payment_failed', invoice, t0 + 60),
        );
        expect(failed.json()).toMatchObject({ result: 'applied', state: 'past_due' });
        // A subscription update that arrives later still leaves the account past due until the invoice is paid.
        await sendStripe(
          ws.workspaceId,
          stripeEvent('evt_sub_updated', 'customer.subscription.updated', { ...sub, status: 'past_due' }, t0 + 61),
        );
        expect((await ws.call('GET', `/api/v1/accounts/${accountId}`)).body.billingState).toBe('past_due');
        const billing = (await ws.call('GET', `/api/v1/accounts/${accountId}/billing`)).body.billing;
        expect(billing).toMatchObject({
          state: 'past_due',
          customerId: 'cus_acme',
          paymentFailed: { invoiceId: 'in_failed_1', amountDue: 245, currency: 'usd', attemptCount: 1 },
        });

        const id = await ticket(
          ws,
          'kim@acme.example',
          'My card payment did not go through and now the dashboard says my subscription is suspended. How do I pay?',
        );
        await t.desk.runPipeline(ws.workspaceId, id, 'created');
        const detail = (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
        const enrich = latest(detail, 'enrich');
        expect(enrich.billing).toMatchObject({
          state: 'past_due',
          via: 'stored',
          paymentFailed: { invoiceId: 'in_failed_1' },
        });
        expect(enrich.account).toMatchObject({
          billingState: 'past_due',
          plan: 'Pro',
          mrr: 245,
          renewalDate: expect.any(String),
        });
        const understand = latest(detail, 'understand');
        expect(understand.context).toMatchObject({
          billingState: 'past_due',
          paymentFailed: { invoiceId: 'in_failed_1' },
        });
        expect(understand.urgency.contributions.map((c: any) => c.factor)).toContain('billing_past_due');
        expect(understand.intent.intent).toBe('billing_failed_payment');

        const packet = (await ws.call('GET', `/api/v1/tickets/${id}/handoff`)).body;
        expect(packet.context.billing).toMatchObject({
          state: 'past_due',
          paymentFailed: {
            invoiceId: 'in_failed_1',
            amountDue: 245,
            invoiceUrl: 'https://invoice.stripe.com/i/in_failed_1',
          },
        });
        expect(packet.account.billingState).toBe('past_due');

        // Paying the invoice clears it.
        const paid = await sendStripe(
          ws.workspaceId,
          stripeEvent(
            'evt_inv_paid',
            'invoice.paid',
            { ...invoice, status: 'paid', status_transitions: { paid_at: t0 + 90 } },
            t0 + 90,
          ),
        );
        expect(paid.json()).toMatchObject({ result: 'applied', state: 'active' });
        expect((await ws.call('GET', `/api/v1/accounts/${accountId}/billing`)).body.billing.paymentFailed).toBeNull();
      },
    );

    it('records downgrades, cancellations and refunds, and ignores an older event arriving late', async () => {
      // Later than every event of the test before (its last subscription event is at most 59 s ago).
      const t0 = now();
      const cheaper = stripeSubscription({
        id: 'sub_1',
        customer: 'cus_acme',
        status: 'active',
        unitAmount: 4900,
        quantity: 2,
        nickname: 'Pro',
      });
      expect(
        (await sendStripe(ws.workspaceId, stripeEvent('evt_down', 'customer.subscription.updated', cheaper, t0))).json()
          .state,
      ).toBe('downgraded');
      const billing = (await ws.call('GET', `/api/v1/accounts/${accountId}/billing`)).body.billing;
      expect(billing).toMatchObject({
        state: 'downgraded',
        mrr: 98,
        previousMrr: 245,
        downgradedAt: expect.any(String),
      });
      const stale = stripeSubscription({
        id: 'sub_1',
        customer: 'cus_acme',
        status: 'canceled',
        unitAmount: 4900,
        nickname: 'Pro',
      });
      expect(
        (
          await sendStripe(ws.workspaceId, stripeEvent('evt_stale', 'customer.subscription.updated', stale, t0 - 3600))
        ).json().result,
      ).toBe('ignored');
      const charge = {
        id: 'ch_1',
        object: 'charge',
        customer: 'cus_acme',
        amount: 4900,
        amount_refunded: 4900,
        currency: 'usd',
        billing_details: { email: 'kim@acme.example' },
        receipt_email: null,
      };
      await sendStripe(ws.workspaceId, stripeEvent('evt_refund', 'charge.refunded', charge, t0 + 1));
      expect((await ws.call('GET', `/api/v1/accounts/${accountId}/billing`)).body.billing.lastRefund).toMatchObject({
        chargeId: 'ch_1',
        amount: 49,
      });
      await sendStripe(
        ws.workspaceId,
        stripeEvent(
          'evt_del',
          'customer.subscription.deleted',
          { ...cheaper, status: 'canceled', ended_at: t0 + 2 },
          t0 + 2,
        ),
      );
      expect((await ws.call('GET', `/api/v1/accounts/${accountId}`)).body).toMatchObject({
        billingState: 'cancelled',
        mrr: 0,
      });
    });

    it('refuses forged, altered, stale and replayed events with problem+json, changing nothing', async () => {
      const before = (await ws.call('GET', `/api/v1/accounts/${accountId}`)).body;
      const evil = stripeEvent(
        'evt_evil',
        'customer.subscription.created',
        stripeSubscription({
          id: 'sub_evil',
          customer: 'cus_acme',
          status: 'active',
          unitAmount: 999_900,
          nickname: 'Enterprise',
        }),
        now(),
      );
      const payload = JSON.stringify(evil);
      const ts = now();
      // Signed exactly as Stripe signs (HMAC-SHA256 over "t.payload"), but with the wrong secret.
      const forged = `t=${ts},v1=${createHmac('sha256', 'whsec_guess').update(`${ts}.${payload}`).digest('hex')}`;
      const genuine = Stripe.webhooks.generateTestHeaderString({ payload, secret: WHSEC, timestamp: ts });
      expect(genuine).toBe(`t=${ts},v1=${createHmac('sha256', WHSEC).update(`${ts}.${payload}`).digest('hex')}`);
      const cases = [
        {
          name: 'wrong secret',
          res: await sendStripe(ws.workspaceId, evil, { header: forged }),
          status: 400,
          code: 'webhook_signature_invalid',
        },
        {
          name: 'no signature',
          res: await sendStripe(ws.workspaceId, evil, { header: '' }),
          status: 400,
          code: 'webhook_signature_invalid',
        },
        {
          name: 'altered body',
          res: await sendStripe(ws.workspaceId, evil, {
            header: genuine,
            payload: payload.replace('999900', '999901'),
          }),
          status: 400,
          code: 'webhook_signature_invalid',
        },
        {
          name: 'too old',
          res: await sendStripe(ws.workspaceId, evil, { timestamp: now() - 3600 }),
          status: 400,
          code: 'webhook_signature_invalid',
        },
      ];
      for (const c of cases) {
        expect(c.res.statusCode, c.name).toBe(c.status);
        expect(c.res.headers['content-type'], c.name).toContain('application/problem+json');
        expect(c.res.json().code, c.name).toBe(c.code);
      }
      expect((await ws.call('GET', `/api/v1/accounts/${accountId}`)).body).toEqual(before);

      // A captured delivery sent again is refused; Stripe's own redelivery (signed afresh) is acknowledged, not applied
      // twice.
      const refund = stripeEvent(
        'evt_refund_2',
        'charge.refunded',
        {
          id: 'ch_2',
          object: 'charge',
          customer: 'cus_acme',
          amount: 1000,
          amount_refunded: 1000,
          currency: 'usd',
          billing_details: { email: null },
          receipt_email: null,
        },
        now(),
      );
      const body = JSON.stringify(refund);
      const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: WHSEC, timestamp: now() - 5 });
      expect((await sendStripe(ws.workspaceId, refund, { header })).statusCode).toBe(200);
      const replayed = await sendStripe(ws.workspaceId, refund, { header });
      expect(replayed.statusCode).toBe(409);
      expect(replayed.headers['content-type']).toContain('application/problem+json');
      expect(replayed.json().code).toBe('webhook_replayed');
      const redelivered = await sendStripe(ws.workspaceId, refund);
      expect(redelivered.statusCode).toBe(200);
      expect(redelivered.json().result).toBe('duplicate');

      // A workspace without Stripe, or an unknown one.
      const other = await newWorkspace(t, 'No Stripe');
      expect((await sendStripe(other.workspaceId, evil)).json().code).toBe('integration_not_configured');
      expect((await sendStripe('00000000-0000-4000-8000-000000000000', evil)).statusCode).toBe(404);
    });

    it('links billing Stripe reported before the customer existed here when their first ticket arrives', async () => {
      const failedEarly = stripeInvoice({
        id: 'in_early',
        customer: 'cus_early',
        email: 'new@initrode.example',
        status: 'open',
        amountDue: 9900,
      });
      expect(
        (
          await sendStripe(ws.workspaceId, stripeEvent('evt_early', 'invoice.payment_failed', failedEarly, now() - 30))
        ).json(),
      ).toMatchObject({ result: 'applied', state: 'past_due' });
      const acc = (await ws.call('POST', '/api/v1/accounts', { name: 'Initrode', externalId: 'initrode', tier: 'pro' }))
        .body;
      const id = await ticket(ws, 'new@initrode.example', 'Hello, a question about our plan', {
        customer: { email: 'new@initrode.example', accountExternalId: 'initrode' },
      });
      await t.desk.runPipeline(ws.workspaceId, id, 'created');
      expect(latest((await ws.call('GET', `/api/v1/tickets/${id}`)).body, 'enrich').billing).toMatchObject({
        customerId: 'cus_early',
        state: 'past_due',
      });
      expect((await ws.call('GET', `/api/v1/accounts/${acc.id}`)).body.billingState).toBe('past_due');
    });

    it('looks billing up through the Stripe API when no webhook has told about the customer', async () => {
      stripe.customers.push({
        id: 'cus_lee',
        object: 'customer',
        email: 'lee@lookup.example',
        name: 'Lee',
        metadata: {},
      });
      stripe.subscriptions.push(
        stripeSubscription({
          id: 'sub_lee',
          customer: 'cus_lee',
          status: 'past_due',
          unitAmount: 2000,
          nickname: 'Starter',
        }),
      );
      stripe.invoices.push(
        stripeInvoice({ id: 'in_lee', customer: 'cus_lee', status: 'open', amountDue: 2000, attemptCount: 2 }),
      );
      const id = await ticket(ws, 'lee@lookup.example', 'Why was my card declined again?');
      await t.desk.runPipeline(ws.workspaceId, id, 'created');
      const detail = (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
      const enrich = latest(detail, 'enrich');
      expect(enrich.billing).toMatchObject({
        via: 'lookup',
        state: 'past_due',
        plan: 'Starter',
        mrr: 20,
        paymentFailed: { invoiceId: 'in_lee', attemptCount: 2 },
      });
      // No account is stored for Lee: the tier stays unknown, but understanding still sees the billing state.
      expect(enrich.account).toMatchObject({ id: null, tier: null, tierSource: 'unknown', billingState: 'past_due' });
      expect(latest(detail, 'understand').context.billingState).toBe('past_due');
      expect(latest(detail, 'understand').urgency.contributions.map((c: any) => c.factor)).toContain(
        'billing_past_due',
      );
      expect(
        stripe.requests.some((r) => r.path === '/v1/customers' && r.query.get('email') === 'lee@lookup.example'),
      ).toBe(true);
    });
    it('forgets processed deliveries after 30 days', async () => {
      await t.desk.database.executeSql(
        `update webhook_receipts set created_at = now() - interval '31 days' where event_id = 'evt_sub_created'`,
      );
      await t.desk.sweep();
      const { rows } = await t.desk.database.executeSql(
        `select event_id from webhook_receipts where event_id in ('evt_sub_created', 'evt_inv_paid')`,
      );
      expect(rows.map((r: any) => r.event_id)).toEqual(['evt_inv_paid']);
    });
  });

  describe('HubSpot', () => {
    let ws: Ws;
    beforeAll(async () => {
      ws = await newWorkspace(t, 'CRM Co');
      await ws.call('PATCH', '/api/v1/integrations/settings', {
        hubspot: { accessToken: HS_TOKEN, tierProperty: 'customer_tier', tierMap: { 'Tier 1': 'enterprise' } },
      });
      hubspot.companies.push({
        id: '501',
        properties: {
          name: 'BigCo',
          domain: 'bigco.example',
          customer_tier: 'Tier 1',
          lifecyclestage: 'customer',
          hubspot_owner_id: '77',
        },
      });
      hubspot.companies.push({
        id: '502',
        properties: {
          name: 'Globex',
          domain: 'globex.example',
          customer_tier: 'Enterprise',
          lifecyclestage: 'customer',
          hubspot_owner_id: null,
        },
      });
      hubspot.contacts.push({ id: '9001', email: 'kim@bigco.example', companyId: '501' });
      hubspot.owners.push({ id: '77', email: 'ann@desk.example', firstName: 'Ann', lastName: 'Owner' });
    });

    it('raises the tier from an enterprise company found by the contact, and keeps it on a new account', async () => {
      const id = await ticket(ws, 'kim@bigco.example', 'How do I export my pipeline runs to CSV?');
      await t.desk.runPipeline(ws.workspaceId, id, 'created');
      const detail = (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
      const enrich = latest(detail, 'enrich');
      expect(enrich.crm).toMatchObject({
        provider: 'hubspot',
        companyId: '501',
        contactId: '9001',
        tier: 'enterprise',
        ownerEmail: 'ann@desk.example',
      });
      expect(enrich.account).toMatchObject({
        tier: 'enterprise',
        tierSource: 'crm',
        owner: { email: 'ann@desk.example' },
        lifecycleStage: 'customer',
      });
      // Enterprise goes to a human by default: the decision saw the CRM's tier.
      expect(latest(detail, 'decide').failed).toContain('tier_allowed');
      const customer = (await ws.call('GET', `/api/v1/customers/${detail.customerId}`)).body;
      expect(customer.accountId).toBeTruthy();
      expect((await ws.call('GET', `/api/v1/accounts/${customer.accountId}`)).body).toMatchObject({
        name: 'BigCo',
        tier: 'enterprise',
        crmId: '501',
        domain: 'bigco.example',
        attributes: { ownerEmail: 'ann@desk.example' },
      });
    });

    it('finds the company by the account domain and raises a stored pro tier', async () => {
      const acc = (
        await ws.call('POST', '/api/v1/accounts', {
          name: 'Globex',
          externalId: 'globex',
          domain: 'globex.example',
          tier: 'pro',
        })
      ).body;
      await ws.call('POST', '/api/v1/customers', { email: 'hank@globex.example', accountExternalId: 'globex' });
      const id = await ticket(ws, 'hank@globex.example', 'Our scheduler stopped running jobs overnight.');
      await t.desk.runPipeline(ws.workspaceId, id, 'created');
      const enrich = latest((await ws.call('GET', `/api/v1/tickets/${id}`)).body, 'enrich');
      expect(enrich.account).toMatchObject({ id: acc.id, tier: 'enterprise', tierSource: 'crm' });
      expect(
        hubspot.requests.some(
          (r) =>
            r.path === '/crm/v3/objects/companies/search' &&
            r.body.filterGroups[0].filters[0].value === 'globex.example',
        ),
      ).toBe(true);
      expect((await ws.call('GET', `/api/v1/accounts/${acc.id}`)).body.tier).toBe('enterprise');
    });

    it('asks HubSpot again only once the account is due for a refresh', async () => {
      const before = hubspot.requests.length;
      const id = await ticket(ws, 'kim@bigco.example', 'Can I add two more seats to our plan?');
      await t.desk.runPipeline(ws.workspaceId, id, 'created');
      const enrich = latest((await ws.call('GET', `/api/v1/tickets/${id}`)).body, 'enrich');
      expect(hubspot.requests.length).toBe(before);
      expect(enrich.crm).toMatchObject({
        cached: true,
        companyId: '501',
        tier: 'enterprise',
        ownerEmail: 'ann@desk.example',
      });
      expect(enrich.account.tier).toBe('enterprise');
    });

    it('goes on without a CRM that is too slow, and says so in the decision record', async () => {
      await ws.call('PATCH', '/api/v1/integrations/settings', { hubspot: { refreshMinutes: 0 } });
      // A CRM slower than the timeout: the timeout is short for this test only, so a loaded machine can only make the
      // source later, never make it answer in time (the others wait up to a minute, so a slow machine never fails
      // them).
      const config = t.desk.config as { enrichTimeoutMs: number };
      config.enrichTimeoutMs = 300;
      hubspot.delayMs = 6000;
      try {
        const id = await ticket(ws, 'kim@bigco.example', 'Where can I download last month invoice?');
        const run = await t.desk.runPipeline(ws.workspaceId, id, 'created');
        expect(run.failedStage).toBeNull();
        const detail = (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
        const enrich = latest(detail, 'enrich');
        expect(enrich.sources.find((s: any) => s.source === 'crm')).toMatchObject({ status: 'timed_out' });
        expect(enrich.missing).toContain('crm');
        expect(enrich.crm).toBeNull();
        // What was stored before still counts: the account is already enterprise.
        expect(enrich.account.tier).toBe('enterprise');
        expect(detail.timeline.map((e: any) => e.type)).toContain('pipeline.completed');
      } finally {
        hubspot.delayMs = 0;
        config.enrichTimeoutMs = 60_000;
      }
    });
  });

  describe('page context, usage and history', () => {
    let ws: Ws;
    beforeAll(async () => {
      ws = await newWorkspace(t, 'Usage Co');
    });

    it('uses the latest message page context in the decision record', async () => {
      const id = await ticket(ws, 'pat@usage.example', 'The export button does nothing', {
        pageContext: { url: 'https://app.example/reports', featureId: 'reports', appVersion: '4.1.0' },
      });
      await ws.call('POST', `/api/v1/tickets/${id}/messages`, {
        text: 'Now the pipeline editor crashes too',
        pageContext: {
          url: 'https://app.example/pipelines/7',
          route: '/pipelines/:id',
          featureId: 'pipeline_editor',
          appVersion: '4.1.1',
          recentErrors: ['TypeError: x is undefined'],
        },
      });
      await t.desk.runPipeline(ws.workspaceId, id, 'customer_message');
      const detail = (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
      const enrich = latest(detail, 'enrich');
      expect(enrich.page).toMatchObject({ featureId: 'pipeline_editor', recentErrors: ['TypeError: x is undefined'] });
      expect(enrich.pageSource).toBe('message');
      expect(latest(detail, 'understand').context).toMatchObject({
        featureId: 'pipeline_editor',
        recentErrors: ['TypeError: x is undefined'],
      });
      expect((await ws.call('GET', `/api/v1/tickets/${id}/handoff`)).body.page).toMatchObject({
        featureId: 'pipeline_editor',
      });
    });

    it('ingests Segment events per customer, summarises them for enrichment, and prunes to the retention', async () => {
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const batch = {
        batch: [
          {
            type: 'identify',
            userId: 'u_42',
            messageId: 'm1',
            timestamp: at(60),
            traits: { email: 'sam@usage.example', firstName: 'Sam', lastName: 'Ray' },
          },
          {
            type: 'track',
            userId: 'u_42',
            messageId: 'm2',
            timestamp: at(50),
            event: 'Report Exported',
            properties: { feature: 'reports' },
          },
          {
            type: 'track',
            userId: 'u_42',
            messageId: 'm3',
            timestamp: at(40),
            event: 'Report Exported',
            properties: { feature: 'reports' },
          },
          {
            type: 'track',
            userId: 'u_42',
            messageId: 'm4',
            timestamp: at(30),
            event: 'Pipeline Run Failed',
            properties: { error: 'warehouse credential expired' },
          },
          {
            type: 'page',
            userId: 'u_42',
            messageId: 'm5',
            timestamp: at(20),
            name: 'Pipelines',
            properties: { path: '/pipelines' },
          },
          { type: 'track', anonymousId: 'anon-1', messageId: 'm6', event: 'Visited' },
        ],
      };
      const res = await ws.call('POST', '/api/v1/usage/batch', batch);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, accepted: 5, duplicates: 0, skipped: 1 });
      expect(
        (await ws.call('POST', '/api/v1/usage/track', { userId: 'u_42', messageId: 'm2', event: 'Report Exported' }))
          .body,
      ).toMatchObject({ duplicates: 1, accepted: 0 });
      const customer = (await ws.call('GET', '/api/v1/customers')).body.data.find(
        (c: any) => c.email === 'sam@usage.example',
      );
      // A user whose email already belongs to another customer keeps their own events.
      expect((await ws.call('POST', '/api/v1/usage/track', { userId: 'u_88', event: 'Opened' })).body.accepted).toBe(1);
      const clash = await ws.call('POST', '/api/v1/usage/identify', {
        userId: 'u_88',
        traits: { email: 'sam@usage.example' },
      });
      expect([clash.status, clash.body.accepted]).toEqual([200, 1]);
      expect(customer).toMatchObject({ externalId: 'u_42', name: 'Sam Ray' });
      const usage = (await ws.call('GET', `/api/v1/customers/${customer.id}/usage`)).body.usage;
      expect(usage.features[0]).toMatchObject({ name: 'reports', count: 2 });
      expect(usage.recentErrors[0]).toMatchObject({
        message: 'warehouse credential expired',
        event: 'Pipeline Run Failed',
      });
      expect(new Date(usage.lastSeen).getTime()).toBeGreaterThan(Date.now() - 21 * 60_000);

      const id = await ticket(ws, 'sam@usage.example', 'My pipeline keeps failing');
      await t.desk.runPipeline(ws.workspaceId, id, 'created');
      const enrich = latest((await ws.call('GET', `/api/v1/tickets/${id}`)).body, 'enrich');
      expect(enrich.usage.recentErrors[0].message).toBe('warehouse credential expired');
      expect(enrich.sources.find((s: any) => s.source === 'usage').status).toBe('ok');
      expect(enrich.missing).toContain('billing');

      // Retention: at most 10 events per customer, none older than the age limit.
      await ws.call('PATCH', '/api/v1/integrations/settings', { usage: { maxEventsPerCustomer: 10, maxAgeDays: 1 } });
      const many = Array.from({ length: 14 }, (_, i) => ({
        type: 'track',
        userId: 'u_42',
        messageId: `n${i}`,
        timestamp: at(10 - i * 0.1),
        event: 'Clicked',
      }));
      many.push({
        type: 'track',
        userId: 'u_42',
        messageId: 'old',
        timestamp: new Date(Date.now() - 3 * 86_400_000).toISOString(),
        event: 'Ancient',
      });
      await ws.call('POST', '/api/v1/usage/batch', { batch: many });
      await t.desk.sweep();
      const { rows } = await t.desk.database.executeSql(
        `select count(*)::int n, count(*) filter (where event = 'Ancient')::int old from usage_events where ` +
          `customer_id = '${customer.id}'`,
      );
      expect(rows[0]).toEqual({ n: 10, old: 0 });
    });

    it('lists previous tickets with their outcomes', async () => {
      const first = await ticket(ws, 'ola@usage.example', 'Cannot log in');
      await ws.call('POST', `/api/v1/tickets/${first}/messages`, { authorType: 'agent', text: 'Reset it for you.' });
      await ws.call('PATCH', `/api/v1/tickets/${first}`, { status: 'resolved' });
      const id = await ticket(ws, 'ola@usage.example', 'Cannot log in again');
      await t.desk.runPipeline(ws.workspaceId, id, 'created');
      const enrich = latest((await ws.call('GET', `/api/v1/tickets/${id}`)).body, 'enrich');
      expect(enrich.history).toEqual([
        expect.objectContaining({ id: first, outcome: 'resolved_by_agent', reopened: false }),
      ]);
      expect(enrich.previousTickets).toBe(1);
    });
  });

  describe('settings and other CRMs', () => {
    it('keeps secrets write-only: never returned in full, never in the timeline', async () => {
      const ws = await newWorkspace(t, 'Secret Co');
      const set = await ws.call('PATCH', '/api/v1/integrations/settings', {
        stripe: { secretKey: SK, webhookSecret: WHSEC },
        hubspot: { accessToken: HS_TOKEN },
        crm: { webhookSecret: 'crm-secret-0123456789' },
      });
      expect(set.status).toBe(200);
      const got = await ws.call('GET', '/api/v1/integrations/settings');
      const text = JSON.stringify([set.body, got.body]);
      for (const secret of [SK, WHSEC, HS_TOKEN, 'crm-secret-0123456789']) expect(text).not.toContain(secret);
      expect(got.body.stripe).toMatchObject({
        secretKey: { set: true, hint: `…${SK.slice(-4)}` },
        webhookPath: `/api/v1/integrations/stripe/webhook/${ws.workspaceId}`,
      });
      const { rows } = await t.desk.database.executeSql(
        `select data::text d from events where workspace_id = '${ws.workspaceId}' and type = 'settings.changed'`,
      );
      expect(rows.length).toBe(1);
      for (const secret of [SK, WHSEC, HS_TOKEN]) expect((rows[0] as { d: string }).d).not.toContain(secret);
      expect((rows[0] as { d: string }).d).toContain('stripeSecretKey');
      const cleared = await ws.call('PATCH', '/api/v1/integrations/settings', { stripe: { secretKey: null } });
      expect(cleared.body.stripe.secretKey).toEqual({ set: false, hint: null });
      expect(cleared.body.stripe.webhookSecret.set).toBe(true);
      // Only admins.
      const agentKey = (await ws.call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' })).body.secret;
      const asAgent = await t.server.inject({
        method: 'GET',
        url: '/api/v1/integrations/settings',
        headers: { authorization: `Bearer ${agentKey}` },
      });
      expect(asAgent.statusCode).toBe(403);
    });

    it(
      'upserts accounts and customers from a signed CRM webhook, refusing forged and replayed ' + 'deliveries',
      async () => {
        const ws = await newWorkspace(t, 'Other CRM Co');
        const secret = 'crm-webhook-secret-42';
        await ws.call('PATCH', '/api/v1/integrations/settings', { crm: { webhookSecret: secret } });
        const body = JSON.stringify({
          id: 'delivery-1',
          accounts: [
            {
              externalId: 'ac_9',
              name: 'Initech',
              tier: 'enterprise',
              mrr: 9000,
              attributes: { renewalDate: '2027-01-31' },
            },
          ],
          customers: [{ email: 'peter@initech.example', name: 'Peter', accountExternalId: 'ac_9' }],
        });
        const send = (signature: string, payload = body) =>
          t.server.inject({
            method: 'POST',
            url: `/api/v1/integrations/crm/webhook/${ws.workspaceId}`,
            headers: { 'content-type': 'application/json', 'x-deskmind-signature': signature },
            payload,
          });
        const signature = signCrmWebhook(secret, body, now());
        const ok = await send(signature);
        expect(ok.statusCode).toBe(200);
        expect(ok.json()).toMatchObject({
          accounts: { created: 1, rejected: 0 },
          customers: { created: 1, rejected: 0 },
        });
        const forged = await send(signCrmWebhook('guess', body, now()));
        expect([forged.statusCode, forged.json().code]).toEqual([400, 'webhook_signature_invalid']);
        const replayed = await send(signature);
        expect([replayed.statusCode, replayed.json().code]).toEqual([409, 'webhook_replayed']);
        const stale = await send(signCrmWebhook(secret, body, now() - 3600));
        expect(stale.json().code).toBe('webhook_signature_invalid');
        const customers = (await ws.call('GET', '/api/v1/customers')).body.data;
        expect(customers).toHaveLength(1);

        const id = await ticket(ws, 'peter@initech.example', 'The TPS report export is broken');
        await t.desk.runPipeline(ws.workspaceId, id, 'created');
        const enrich = latest((await ws.call('GET', `/api/v1/tickets/${id}`)).body, 'enrich');
        expect(enrich.account).toMatchObject({
          tier: 'enterprise',
          mrr: 9000,
          renewalDate: '2027-01-31',
          tierSource: 'account',
        });
      },
    );

    it('imports accounts from CSV and customers from a JSON array', async () => {
      const ws = await newWorkspace(t, 'Import Co');
      const csv = 'externalId,name,domain,tier,mrr\nac_1,Umbrella,umbrella.example,pro,500\nac_2,,bad.example,pro,1\n';
      const res = await t.server.inject({
        method: 'POST',
        url: '/api/v1/integrations/crm/import?kind=accounts',
        headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'text/csv' },
        payload: csv,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ kind: 'accounts', created: 1, rejected: 1, rejections: [{ line: 3 }] });
      const json = await ws.call('POST', '/api/v1/integrations/crm/import?kind=customers', [
        { email: 'alice@umbrella.example', accountExternalId: 'ac_1' },
      ]);
      expect(json.body).toMatchObject({ created: 1, rejected: 0 });
    });
  });
});
