/**
 * Stripe: the signed webhook that keeps each billing customer's state current, and on-demand look-ups
 * through the official SDK. Events are verified with `stripe.webhooks.constructEvent` (HMAC-SHA256 over
 * `t.payload`, within the tolerance); a delivery whose event id was already processed with the same
 * signature timestamp is a replay and refused, while Stripe's own redelivery (signed afresh) is
 * acknowledged without being applied twice.
 */
import DataLoader from 'dataloader';
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { z } from 'zod';
import { DeskmindError } from '../domain/errors.js';
import type { BillingFacts, PaymentFailure } from '../domain/stage-results.js';
import { getAccount } from '../people/get-account.js';
import type { Ctx } from '../store/ctx.js';
import type { DbOrTx } from '../store/db.js';
import { accounts, billingCustomers, customers, webhookReceipts } from '../store/schema.js';
import { defineConnector, type ConnectorSection } from './connector.js';

/** The workspace's Stripe options (its secrets: `secretKey`, `webhookSecret`). */
export const StripeOptionsSchema = z
  .object({
    /** Largest age of a webhook signature, in seconds (Stripe's default: 300). */
    toleranceSeconds: z.number().int().min(10).max(3600).default(300),
    /** Look billing up through the Stripe API when no webhook has told us about a customer yet. */
    lookups: z.boolean().default(true),
  })
  .strict();
export type StripeSection = ConnectorSection<typeof StripeOptionsSchema, 'secretKey' | 'webhookSecret'>;

export type BillingRow = typeof billingCustomers.$inferSelect;

let sdk: Promise<typeof Stripe> | undefined;
/** The Stripe SDK, loaded on first use (commands that never touch Stripe do not pay for it). */
const loadStripe = () => (sdk ??= import('stripe').then((m) => m.default));

/** A Stripe client for a workspace's secret key, pointed at `apiUrl` (protocol, host and port). */
export async function stripeClient(secretKey: string, apiUrl: string, timeoutMs: number): Promise<Stripe> {
  const Stripe = await loadStripe();
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(secretKey, {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    timeout: timeoutMs,
    maxNetworkRetries: 0,
    telemetry: false,
  });
}

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
/** An amount in the currency's minor unit, in major units. */
export const major = (amount: number | null | undefined, currency: string | null | undefined) =>
  amount === null || amount === undefined
    ? null
    : ZERO_DECIMAL.has((currency ?? '').toLowerCase())
      ? amount
      : amount / 100;

const toDate = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000) : null);
const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));

/** Stripe subscription status → Deskmind billing state. */
export function stateOfStatus(status: string): string {
  switch (status) {
    case 'active':
      return 'active';
    case 'trialing':
      return 'trialing';
    case 'past_due':
    case 'unpaid':
    case 'incomplete':
      return 'past_due';
    default:
      return 'cancelled'; // canceled, incomplete_expired, paused
  }
}

const PER_MONTH: Record<string, number> = { day: 365 / 12, week: 52 / 12, month: 1, year: 1 / 12 };

interface SubscriptionFacts {
  subscriptionId: string;
  status: string;
  state: string;
  plan: string | null;
  mrr: number;
  currency: string | null;
  seats: number | null;
  currentPeriodEnd: Date | null;
  trialEnd: Date | null;
  cancelAt: Date | null;
  cancelledAt: Date | null;
}

/** Plan, MRR (monthly, major units, discounts ignored), seats and dates of a subscription. */
export function subscriptionFacts(sub: Stripe.Subscription): SubscriptionFacts {
  const items = sub.items?.data ?? [];
  const first = items[0];
  let mrr = 0;
  let seats = 0;
  for (const item of items) {
    const price = item.price;
    const unit = price?.unit_amount ?? (price?.unit_amount_decimal ? Number(price.unit_amount_decimal) : 0);
    const quantity = item.quantity ?? 1;
    seats += quantity;
    const every = price?.recurring?.interval_count ?? 1;
    const perMonth = PER_MONTH[price?.recurring?.interval ?? 'month'] ?? 1;
    mrr += ((major(unit, price?.currency) ?? 0) * quantity * perMonth) / every;
  }
  const price = first?.price;
  const product = price?.product;
  const productName =
    product && typeof product === 'object' && 'name' in product ? (product as { name: string }).name : null;
  const legacyEnd = (sub as unknown as { current_period_end?: number }).current_period_end;
  return {
    subscriptionId: sub.id,
    status: sub.status,
    state: stateOfStatus(sub.status),
    plan: price?.nickname ?? price?.lookup_key ?? productName ?? price?.id ?? null,
    mrr: Math.round(mrr * 100) / 100,
    currency: price?.currency ?? sub.currency ?? null,
    seats: items.length ? seats : null,
    currentPeriodEnd: toDate(first?.current_period_end ?? legacyEnd),
    trialEnd: toDate(sub.trial_end),
    cancelAt: toDate(sub.cancel_at),
    cancelledAt: toDate(sub.ended_at ?? sub.canceled_at),
  };
}

/** A failed invoice as the decision record and the handoff packet show it. */
export function paymentFailureOf(invoice: Stripe.Invoice, at: Date): PaymentFailure {
  const loose = invoice as unknown as { last_payment_error?: { message?: string }; billing_reason?: string };
  return {
    invoiceId: invoice.id ?? null,
    amountDue: major(invoice.amount_due, invoice.currency),
    currency: invoice.currency ?? null,
    attemptCount: invoice.attempt_count ?? null,
    nextPaymentAttempt: toDate(invoice.next_payment_attempt)?.toISOString() ?? null,
    reason: loose.last_payment_error?.message ?? invoice.last_finalization_error?.message ?? null,
    invoiceUrl: invoice.hosted_invoice_url ?? null,
    at: at.toISOString(),
  };
}

/** The billing facts of a stored billing customer. */
export function billingFactsOf(row: BillingRow, via: BillingFacts['via']): BillingFacts {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    provider: row.provider,
    customerId: row.externalCustomerId,
    state: row.state,
    status: row.status,
    plan: row.plan,
    mrr: row.mrr,
    currency: row.currency,
    seats: row.seats,
    renewalDate: iso(row.currentPeriodEnd),
    trialEnd: iso(row.trialEnd),
    cancelAt: iso(row.cancelAt),
    cancelledAt: iso(row.cancelledAt),
    downgradedAt: iso(row.downgradedAt),
    previousPlan: row.previousPlan,
    previousMrr: row.previousMrr,
    paymentFailed: (row.lastPaymentFailure as PaymentFailure | null) ?? null,
    lastPaymentAt: iso(row.lastPaymentAt),
    lastRefund: (row.lastRefund as BillingFacts['lastRefund']) ?? null,
    via,
  };
}

/** The account a Stripe customer belongs to: by `metadata.deskmind_account` (external id), email, then email domain. */
async function findAccountFor(
  ctx: Ctx,
  email: string | null,
  metadata: Record<string, string> | null | undefined,
): Promise<string | null> {
  const externalId = metadata?.deskmind_account ?? metadata?.account_external_id;
  if (externalId) {
    const [row] = await ctx.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.externalId, externalId)));
    if (row) return row.id;
  }
  if (!email) return null;
  const [customer] = await ctx.db
    .select({ accountId: customers.accountId })
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.email, email.toLowerCase())));
  if (customer?.accountId) return customer.accountId;
  const domain = email.split('@')[1]?.toLowerCase();
  if (!domain) return null;
  const [byDomain] = await ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.domain, domain)))
    .limit(1);
  return byDomain?.id ?? null;
}

/** The billing customer row for a Stripe customer id, created when new, locked for the update. */
async function billingRow(ctx: Ctx, stripeCustomerId: string): Promise<BillingRow> {
  await ctx.db
    .insert(billingCustomers)
    .values({
      workspaceId: ctx.workspaceId,
      provider: 'stripe',
      externalCustomerId: stripeCustomerId,
      createdAt: ctx.now(),
      updatedAt: ctx.now(),
    })
    .onConflictDoNothing();
  const [row] = await ctx.db
    .select()
    .from(billingCustomers)
    .where(
      and(
        eq(billingCustomers.workspaceId, ctx.workspaceId),
        eq(billingCustomers.provider, 'stripe'),
        eq(billingCustomers.externalCustomerId, stripeCustomerId),
      ),
    )
    .for('update');
  return row!;
}

/** Copies the billing state, plan, MRR and seats onto the linked account. */
async function syncAccount(ctx: Ctx, row: BillingRow): Promise<void> {
  if (!row.accountId) return;
  const set: Partial<typeof accounts.$inferInsert> = { billingState: row.state, updatedAt: ctx.now() };
  if (row.plan) set.plan = row.plan;
  if (row.mrr !== null) set.mrr = row.mrr;
  if (row.seats !== null) set.seats = row.seats;
  await ctx.db
    .update(accounts)
    .set(set)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.id, row.accountId)));
}

/** Links a billing customer found by email to the asking customer's account, and copies its state onto it. */
export async function linkBilling(ctx: Ctx, row: BillingRow, accountId: string): Promise<BillingRow> {
  const [linked] = await ctx.db
    .update(billingCustomers)
    .set({ accountId, updatedAt: ctx.now() })
    .where(and(eq(billingCustomers.id, row.id), isNull(billingCustomers.accountId)))
    .returning();
  if (linked) await syncAccount(ctx, linked);
  return linked ?? row;
}

/** What a Stripe event changed. */
export interface StripeEventOutcome {
  eventId: string;
  type: string;
  /** `applied`, `ignored` (type not handled, or older than what is known) or `duplicate` (Stripe redelivered it). */
  result: 'applied' | 'ignored' | 'duplicate';
  customerId: string | null;
  accountId: string | null;
  state: string | null;
}

export const HANDLED_STRIPE_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.payment_failed',
  'invoice.paid',
  'charge.refunded',
  'customer.updated',
] as const;

/** The `t=` of a Stripe-Signature header. */
function signatureTime(header: string): Date {
  const t = /(?:^|,)\s*t=(\d+)/.exec(header)?.[1];
  return new Date(Number(t) * 1000);
}

/** A verified delivery: the event and its signature's timestamp. */
export interface VerifiedStripeEvent {
  event: Stripe.Event;
  signedAt: Date;
}

/**
 * Verifies a Stripe webhook delivery with the SDK. Throws `integration_not_configured` without a webhook
 * secret and `webhook_signature_invalid` for a missing, forged, altered or too old signature.
 */
export async function verifyStripeEvent(
  section: StripeSection,
  rawBody: Buffer,
  signature: string | undefined,
  now: Date,
): Promise<VerifiedStripeEvent> {
  const secret = section.secrets.webhookSecret;
  if (!secret)
    throw new DeskmindError('integration_not_configured', 'Stripe webhooks are not configured for this workspace');
  if (!signature) throw new DeskmindError('webhook_signature_invalid', 'The Stripe-Signature header is missing');
  const Stripe = await loadStripe();
  try {
    const event = Stripe.webhooks.constructEvent(
      rawBody,
      signature,
      secret,
      section.options.toleranceSeconds,
      undefined,
      now.getTime(),
    );
    return { event, signedAt: signatureTime(signature) };
  } catch (err) {
    throw new DeskmindError(
      'webhook_signature_invalid',
      'The Stripe signature does not match the payload, or its timestamp is outside the tolerance',
      { cause: err },
    );
  }
}

/** Who a Stripe customer is, as the API tells it. */
export interface StripeCustomerInfo {
  email: string | null;
  name: string | null;
  metadata: Record<string, string>;
}

const customerIdOf = (event: Stripe.Event) => {
  const object = event.data.object as unknown as Record<string, unknown>;
  return event.type === 'customer.updated'
    ? (object.id as string)
    : idOf(object.customer as string | { id: string } | null);
};

/**
 * For an event that names its customer by id only (subscriptions), a customer Deskmind cannot place yet is
 * fetched from the API — before the transaction, so no lock is held during the call. Failures give null.
 */
export async function customerInfoFor(
  db: DbOrTx,
  workspaceId: string,
  event: Stripe.Event,
  lookup: Stripe | null,
): Promise<StripeCustomerInfo | null> {
  if (!lookup || !event.type.startsWith('customer.subscription.')) return null;
  const id = customerIdOf(event);
  if (!id) return null;
  const [row] = await db
    .select({ email: billingCustomers.email, accountId: billingCustomers.accountId })
    .from(billingCustomers)
    .where(
      and(
        eq(billingCustomers.workspaceId, workspaceId),
        eq(billingCustomers.provider, 'stripe'),
        eq(billingCustomers.externalCustomerId, id),
      ),
    );
  if (row?.email || row?.accountId) return null;
  const c = await lookup.customers.retrieve(id).catch(() => null);
  return c && !c.deleted ? { email: c.email ?? null, name: c.name ?? null, metadata: c.metadata ?? {} } : null;
}

/**
 * Records a verified delivery and applies it (call inside a transaction). Throws `webhook_replayed` for a
 * delivery already processed with the same signature; Stripe's redelivery (signed afresh) is a `duplicate`.
 */
export async function receiveStripeEvent(
  ctx: Ctx,
  verified: VerifiedStripeEvent,
  info: StripeCustomerInfo | null,
): Promise<StripeEventOutcome> {
  const { event, signedAt } = verified;
  const inserted = await ctx.db
    .insert(webhookReceipts)
    .values({
      workspaceId: ctx.workspaceId,
      source: 'stripe',
      eventId: event.id,
      type: event.type,
      signedAt,
      receivedAt: ctx.now(),
    })
    .onConflictDoNothing()
    .returning({ eventId: webhookReceipts.eventId });
  if (!inserted.length) {
    const [seen] = await ctx.db
      .select()
      .from(webhookReceipts)
      .where(
        and(
          eq(webhookReceipts.workspaceId, ctx.workspaceId),
          eq(webhookReceipts.source, 'stripe'),
          eq(webhookReceipts.eventId, event.id),
        ),
      );
    if (seen && seen.signedAt.getTime() === signedAt.getTime())
      throw new DeskmindError('webhook_replayed', `Event ${event.id} was already processed with this signature`);
    return { eventId: event.id, type: event.type, result: 'duplicate', customerId: null, accountId: null, state: null };
  }
  return applyStripeEvent(ctx, event, info);
}

/** Applies a verified Stripe event to the billing customer it concerns and to its account. */
export async function applyStripeEvent(
  ctx: Ctx,
  event: Stripe.Event,
  info: StripeCustomerInfo | null = null,
): Promise<StripeEventOutcome> {
  const base = { eventId: event.id, type: event.type };
  if (!(HANDLED_STRIPE_EVENTS as readonly string[]).includes(event.type))
    return { ...base, result: 'ignored', customerId: null, accountId: null, state: null };
  const stripeCustomerId = customerIdOf(event);
  if (!stripeCustomerId) return { ...base, result: 'ignored', customerId: null, accountId: null, state: null };
  const at = new Date(event.created * 1000);
  let row = await billingRow(ctx, stripeCustomerId);
  const set: Partial<typeof billingCustomers.$inferInsert> = { updatedAt: ctx.now() };

  // Who the customer is: from the event, else (once) from the API.
  let email: string | null = row.email;
  let metadata: Record<string, string> | null = null;
  if (event.type === 'customer.updated') {
    const c = event.data.object as Stripe.Customer;
    email = c.email ?? email;
    metadata = c.metadata ?? null;
    set.name = c.name ?? row.name;
  } else if (event.type.startsWith('invoice.')) {
    const inv = event.data.object as Stripe.Invoice;
    email = inv.customer_email ?? email;
    if (inv.customer_name && !row.name) set.name = inv.customer_name;
  } else if (event.type === 'charge.refunded') {
    const ch = event.data.object as Stripe.Charge;
    email = ch.billing_details?.email ?? ch.receipt_email ?? email;
  }
  if (!email && info) {
    email = info.email;
    metadata = info.metadata;
    set.name = info.name ?? row.name;
  }
  if (email) set.email = email.toLowerCase();
  if (!row.accountId || metadata) set.accountId = (await findAccountFor(ctx, email, metadata)) ?? row.accountId;

  let result: StripeEventOutcome['result'] = 'applied';
  switch (event.type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      if (row.subscriptionEventAt && row.subscriptionEventAt.getTime() > at.getTime()) {
        result = 'ignored'; // an older event arriving late
        break;
      }
      const facts = subscriptionFacts(event.data.object as Stripe.Subscription);
      Object.assign(set, {
        subscriptionId: facts.subscriptionId,
        status: facts.status,
        plan: facts.plan,
        mrr: facts.mrr,
        currency: facts.currency,
        seats: facts.seats,
        currentPeriodEnd: facts.currentPeriodEnd,
        trialEnd: facts.trialEnd,
        cancelAt: facts.cancelAt,
        subscriptionEventAt: at,
      });
      let state = facts.state;
      if (event.type === 'customer.subscription.deleted') {
        state = 'cancelled';
        set.mrr = 0;
        set.cancelledAt = facts.cancelledAt ?? at;
      } else if (
        state === 'active' &&
        row.mrr !== null &&
        facts.mrr < row.mrr &&
        event.type === 'customer.subscription.updated'
      ) {
        state = 'downgraded';
        Object.assign(set, { downgradedAt: at, previousPlan: row.plan, previousMrr: row.mrr });
      } else if (state === 'active' && row.state === 'downgraded') {
        state = 'downgraded'; // still within the downgrade; enrichment lets it lapse after 30 days
      }
      // A failed payment keeps the account past due until it is paid, whatever the subscription says.
      if (row.lastPaymentFailure && (state === 'active' || state === 'downgraded')) state = 'past_due';
      set.state = state;
      break;
    }
    case 'invoice.payment_failed': {
      set.lastPaymentFailure = paymentFailureOf(event.data.object as Stripe.Invoice, at);
      if (row.state !== 'cancelled') set.state = 'past_due';
      break;
    }
    case 'invoice.paid': {
      const inv = event.data.object as Stripe.Invoice;
      set.lastPaymentAt = toDate(inv.status_transitions?.paid_at) ?? at;
      // Paying the failed invoice (or any, when the failure named none) settles the account.
      const failed = row.lastPaymentFailure as PaymentFailure | null;
      if (!failed?.invoiceId || failed.invoiceId === inv.id) {
        set.lastPaymentFailure = null;
        if (row.state === 'past_due') set.state = 'active';
      }
      break;
    }
    case 'charge.refunded': {
      const ch = event.data.object as Stripe.Charge;
      set.lastRefund = {
        chargeId: ch.id,
        amount: major(ch.amount_refunded, ch.currency) ?? 0,
        currency: ch.currency ?? null,
        at: at.toISOString(),
      };
      break;
    }
    case 'customer.updated':
      break;
  }
  [row] = (await ctx.db.update(billingCustomers).set(set).where(eq(billingCustomers.id, row.id)).returning()) as [
    BillingRow,
  ];
  await syncAccount(ctx, row);
  return { ...base, result, customerId: stripeCustomerId, accountId: row.accountId, state: row.state };
}

/** Whose billing customer to find: an account, else a person by email. */
export interface BillingSubject {
  accountId: string | null;
  email: string | null;
}

/** The billing customer of an account, or of a person by email (the most recently updated one). */
export async function findBilling(
  ctx: Pick<Ctx, 'db' | 'workspaceId'>,
  accountId: string | null,
  email: string | null,
): Promise<BillingRow | null> {
  const [row] = await findBillings(ctx, [{ accountId, email }]);
  return row ?? null;
}

/** An account's billing state as Stripe webhooks left it (null when unknown); `not_found` for an unknown account. */
export async function accountBilling(ctx: Ctx, accountId: string): Promise<BillingFacts | null> {
  const account = await getAccount(ctx, accountId);
  const row = await findBilling(ctx, account.id, null);
  return row ? billingFactsOf(row, 'stored') : null;
}

/**
 * `findBilling` for several subjects in one statement: for each, the account's most recently updated billing
 * customer, else the email's (null when neither is known).
 */
export async function findBillings(
  ctx: Pick<Ctx, 'db' | 'workspaceId'>,
  subjects: readonly BillingSubject[],
): Promise<(BillingRow | null)[]> {
  const accountIds = [...new Set(subjects.flatMap((s) => (s.accountId ? [s.accountId] : [])))];
  const emails = [...new Set(subjects.flatMap((s) => (s.email ? [s.email.toLowerCase()] : [])))];
  if (!accountIds.length && !emails.length) return subjects.map(() => null);
  const rows = await ctx.db
    .select()
    .from(billingCustomers)
    .where(
      and(
        eq(billingCustomers.workspaceId, ctx.workspaceId),
        or(
          accountIds.length ? inArray(billingCustomers.accountId, accountIds) : undefined,
          emails.length ? inArray(billingCustomers.email, emails) : undefined,
        ),
      ),
    )
    .orderBy(desc(billingCustomers.updatedAt));
  return subjects.map(
    (s) =>
      (s.accountId ? rows.find((r) => r.accountId === s.accountId) : undefined) ??
      (s.email ? rows.find((r) => r.email === s.email!.toLowerCase()) : undefined) ??
      null,
  );
}

/**
 * Looks a customer up in Stripe by email: the customer, its latest subscription and its latest open invoice
 * (a failed payment when it has attempts). Stored with `storeStripeBilling`, so the next ticket does not ask.
 */
export async function fetchStripeBilling(stripe: Stripe, email: string): Promise<StripeSnapshot | null> {
  const list = await stripe.customers.list({ email, limit: 1 });
  const customer = list.data[0];
  if (!customer) return null;
  const [subs, invoices] = await Promise.all([
    stripe.subscriptions.list({ customer: customer.id, status: 'all', limit: 1 }),
    stripe.invoices.list({ customer: customer.id, status: 'open', limit: 1 }),
  ]);
  return { customer, subscription: subs.data[0] ?? null, openInvoice: invoices.data[0] ?? null };
}

/** What a look-up found in Stripe. */
export interface StripeSnapshot {
  customer: Stripe.Customer;
  subscription: Stripe.Subscription | null;
  openInvoice: Stripe.Invoice | null;
}

/** Stores what a look-up found (call inside a transaction); a webhook that arrived meanwhile keeps its state. */
export async function storeStripeBilling(
  ctx: Ctx,
  snapshot: StripeSnapshot,
  email: string,
  accountId: string | null,
): Promise<BillingRow | null> {
  const { customer, subscription: sub, openInvoice: open } = snapshot;
  const facts = sub ? subscriptionFacts(sub) : null;
  const failure = open && (open.attempt_count ?? 0) > 0 ? paymentFailureOf(open, ctx.now()) : null;
  const state = failure && facts?.state !== 'cancelled' ? 'past_due' : (facts?.state ?? 'none');
  const values = {
    accountId: accountId ?? (await findAccountFor(ctx, email, customer.metadata)),
    email: email.toLowerCase(),
    name: customer.name ?? null,
    state,
    status: facts?.status ?? null,
    subscriptionId: facts?.subscriptionId ?? null,
    plan: facts?.plan ?? null,
    mrr: facts ? (state === 'cancelled' ? 0 : facts.mrr) : null,
    currency: facts?.currency ?? null,
    seats: facts?.seats ?? null,
    currentPeriodEnd: facts?.currentPeriodEnd ?? null,
    trialEnd: facts?.trialEnd ?? null,
    cancelAt: facts?.cancelAt ?? null,
    cancelledAt: facts?.cancelledAt ?? null,
    lastPaymentFailure: failure,
    updatedAt: ctx.now(),
  };
  const [row] = await ctx.db
    .insert(billingCustomers)
    .values({
      workspaceId: ctx.workspaceId,
      provider: 'stripe',
      externalCustomerId: customer.id,
      createdAt: ctx.now(),
      ...values,
    })
    // A webhook that arrived meanwhile knows better: only fill what is still unknown.
    .onConflictDoUpdate({
      target: [billingCustomers.workspaceId, billingCustomers.provider, billingCustomers.externalCustomerId],
      set: { email: values.email, accountId: sql`coalesce(${billingCustomers.accountId}, ${values.accountId})` },
    })
    .returning();
  await syncAccount(ctx, row!);
  return row ?? null;
}

const StripeReceipt = z.object({
  received: z.literal(true),
  eventId: z.string(),
  type: z.string(),
  result: z.enum(['applied', 'ignored', 'duplicate']),
  state: z.string().nullable(),
});

/**
 * Billing: the `billing` enrichment source (the state Stripe webhooks left, else an on-demand look-up) and
 * the signed webhook `POST /integrations/stripe/webhook/:workspaceId`.
 */
export const stripeConnector = defineConnector({
  id: 'stripe',
  title: 'Stripe (billing)',
  options: StripeOptionsSchema,
  secrets: ['secretKey', 'webhookSecret'],
  enrichment(section, { database, config, now }, workspaceId) {
    const timeoutMs = config.enrichTimeoutMs;
    const ctx = { db: database.db, workspaceId };
    // Tickets that ask at the same time (a pipeline batch shares one set of sources) read the stored billing
    // customers in one statement.
    const billingRows = new DataLoader<BillingSubject, BillingRow | null, string>(
      (subjects) => findBillings(ctx, subjects),
      {
        cacheKeyFn: (s) => `${s.accountId ?? ''}|${s.email?.toLowerCase() ?? ''}`,
      },
    );
    return {
      name: 'billing',
      timeoutMs,
      async load({ account, customer }) {
        const stored = await billingRows.load({ accountId: account?.id ?? null, email: customer?.email ?? null });
        // Stripe told about this email before the customer had an account here: link them now.
        const row =
          stored && !stored.accountId && account
            ? await linkBilling({ ...ctx, actor: { type: 'system', id: null }, now }, stored, account.id)
            : stored;
        if (row) return { billing: billingFactsOf(row, 'stored') };
        const key = section.secrets.secretKey;
        if (!key || !section.options.lookups || !customer?.email) return null;
        const stripe = await stripeClient(key, config.stripeApiUrl, timeoutMs);
        const snapshot = await fetchStripeBilling(stripe, customer.email);
        if (!snapshot) return null;
        const found = await database.db.transaction((tx) =>
          storeStripeBilling(
            { db: tx, workspaceId, actor: { type: 'system', id: null }, now },
            snapshot,
            customer.email!,
            account?.id ?? null,
          ),
        );
        return found ? { billing: billingFactsOf(found, 'lookup') } : null;
      },
    };
  },
  webhook: {
    summary:
      "Stripe webhook of a workspace: verified with the Stripe-Signature header and the workspace's webhook " +
      'secret; forged, stale and replayed deliveries are refused',
    signatureHeader: 'stripe-signature',
    response: StripeReceipt,
    async receive(desk, { workspaceId, section, raw, signature, log }) {
      const key = section.secrets.secretKey;
      const lookup =
        key && section.options.lookups
          ? await stripeClient(key, desk.config.stripeApiUrl, desk.config.enrichTimeoutMs)
          : null;
      const verified = await verifyStripeEvent(section, raw, signature, desk.now());
      const info = await customerInfoFor(desk.database.db, workspaceId, verified.event, lookup);
      const outcome = await desk.tx(workspaceId, { type: 'integration', id: 'stripe' }, (ctx) =>
        receiveStripeEvent(ctx, verified, info),
      );
      log.info({ eventId: outcome.eventId, type: outcome.type, result: outcome.result }, 'stripe webhook');
      return {
        received: true as const,
        eventId: outcome.eventId,
        type: outcome.type,
        result: outcome.result,
        state: outcome.state,
      };
    },
  },
});
