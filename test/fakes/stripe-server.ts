/**
 * A local Stripe API for on-demand look-ups, following Stripe's wire format: bearer secret key, form-encoded
 * query parameters, list objects (`{object: 'list', data, has_more, url}`) and error bodies
 * (`{error: {type, code, message}}`). It serves customers, subscriptions and invoices it was given.
 */
import { serveLocally, type LocalServer } from './http.js';

export interface FakeStripe extends LocalServer {
  customers: Record<string, any>[];
  subscriptions: Record<string, any>[];
  invoices: Record<string, any>[];
  requests: { method: string; path: string; query: URLSearchParams; auth: string | undefined }[];
  delayMs: number;
}

export async function startStripeServer(secretKey: string): Promise<FakeStripe> {
  const state = {
    customers: [] as Record<string, any>[],
    subscriptions: [] as Record<string, any>[],
    invoices: [] as Record<string, any>[],
    requests: [] as FakeStripe['requests'],
    delayMs: 0,
  };
  const server = await serveLocally((req) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = req.headers.authorization;
    state.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, auth });
    const json = (status: number, body: unknown) => (res: import('node:http').ServerResponse) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${state.requests.length}` });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, code: string, message: string) => ({
      delayMs: state.delayMs,
      answer: json(status, { error: { type, code, message } }),
    });
    if (auth !== `Bearer ${secretKey}`)
      return error(401, 'invalid_request_error', 'api_key_invalid', 'Invalid API Key provided');
    const list = (path: string, rows: Record<string, any>[]) => {
      const limit = Number(url.searchParams.get('limit') ?? 10);
      return {
        delayMs: state.delayMs,
        answer: json(200, { object: 'list', data: rows.slice(0, limit), has_more: rows.length > limit, url: path }),
      };
    };
    const q = (name: string) => url.searchParams.get(name);
    const m = /^\/v1\/customers\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const c = state.customers.find((x) => x.id === m[1]);
      return c
        ? { delayMs: state.delayMs, answer: json(200, c) }
        : error(404, 'invalid_request_error', 'resource_missing', `No such customer: '${m[1]}'`);
    }
    if (req.method === 'GET' && url.pathname === '/v1/customers')
      return list(
        '/v1/customers',
        state.customers.filter((c) => !q('email') || c.email === q('email')),
      );
    if (req.method === 'GET' && url.pathname === '/v1/subscriptions') {
      return list(
        '/v1/subscriptions',
        state.subscriptions.filter(
          (s) => s.customer === q('customer') && (q('status') === 'all' || s.status === (q('status') ?? 'active')),
        ),
      );
    }
    if (req.method === 'GET' && url.pathname === '/v1/invoices')
      return list(
        '/v1/invoices',
        state.invoices.filter((i) => i.customer === q('customer') && (!q('status') || i.status === q('status'))),
      );
    return error(
      404,
      'invalid_request_error',
      'resource_missing',
      `Unrecognized request URL (${req.method}: ${url.pathname})`,
    );
  });
  return Object.assign(state, server) as FakeStripe;
}

/** A subscription object as Stripe sends it (items carry the price and the current period). */
export function stripeSubscription(o: {
  id: string;
  customer: string;
  status: string;
  unitAmount: number;
  quantity?: number;
  nickname?: string;
  interval?: 'month' | 'year';
  periodEnd?: number;
}) {
  return {
    id: o.id,
    object: 'subscription',
    customer: o.customer,
    status: o.status,
    currency: 'usd',
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    trial_end: null,
    items: {
      object: 'list',
      data: [
        {
          id: `si_${o.id}`,
          object: 'subscription_item',
          quantity: o.quantity ?? 1,
          current_period_end: o.periodEnd ?? 1_783_000_000,
          price: {
            id: `price_${o.nickname ?? 'x'}`,
            object: 'price',
            currency: 'usd',
            nickname: o.nickname ?? null,
            lookup_key: null,
            product: 'prod_1',
            unit_amount: o.unitAmount,
            recurring: { interval: o.interval ?? 'month', interval_count: 1 },
          },
        },
      ],
      has_more: false,
    },
  };
}

/** An invoice object as Stripe sends it. */
export function stripeInvoice(o: {
  id: string;
  customer: string;
  email?: string;
  status: string;
  amountDue: number;
  attemptCount?: number;
}) {
  return {
    id: o.id,
    object: 'invoice',
    customer: o.customer,
    customer_email: o.email ?? null,
    customer_name: null,
    status: o.status,
    currency: 'usd',
    amount_due: o.amountDue,
    attempt_count: o.attemptCount ?? 1,
    next_payment_attempt: 1_782_000_000,
    hosted_invoice_url: `https://invoice.stripe.com/i/${o.id}`,
    last_finalization_error: null,
    status_transitions: { paid_at: o.status === 'paid' ? 1_781_000_000 : null },
  };
}

/** A Stripe event envelope around an object. */
export function stripeEvent(
  id: string,
  type: string,
  object: unknown,
  created: number,
  previous?: Record<string, unknown>,
) {
  return {
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object, ...(previous ? { previous_attributes: previous } : {}) },
  };
}
