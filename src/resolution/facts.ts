/**
 * What Deskmind knows about the customer, in the form a reply, a prompt and a handoff brief use: the plan,
 * billing state, a failed invoice with where to pay it, the trial's end, seats, and the page the customer is
 * on with its recent errors. Built from the enrich stage's result; pure.
 */
import { z } from 'zod';
import type { Enrichment } from '../domain/stage-results.js';

/** The facts a reply may state (every field null when unknown). */
export const CustomerFactsSchema = z.object({
  plan: z.string().nullable(),
  tier: z.string().nullable(),
  /** active | trialing | past_due | cancelled | downgraded | none */
  billingState: z.string().nullable(),
  failedPayment: z
    .object({
      invoiceId: z.string().nullable(),
      amount: z.string().nullable(),
      /** The day the payment failed (YYYY-MM-DD). */
      on: z.string().nullable(),
      reason: z.string().nullable(),
      /** The provider's hosted page where the invoice can be paid. */
      payUrl: z.string().nullable(),
      nextAttempt: z.string().nullable(),
    })
    .nullable(),
  trialEnd: z.string().nullable(),
  seats: z.number().nullable(),
  renewalDate: z.string().nullable(),
  page: z
    .object({
      url: z.string().nullable(),
      route: z.string().nullable(),
      featureId: z.string().nullable(),
      title: z.string().nullable(),
    })
    .nullable(),
  recentErrors: z.array(z.string()),
});
export type CustomerFacts = z.infer<typeof CustomerFactsSchema>;

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null);
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** An amount in major units as money (245, "usd" → "USD 245.00"). */
export function money(amount: number | null | undefined, currency: string | null | undefined): string | null {
  if (amount === null || amount === undefined) return null;
  return `${(currency ?? '').toUpperCase()} ${amount.toFixed(2)}`.trim();
}

/** The facts of a ticket from its enrichment (and the stored account when enrichment is absent). */
export function customerFacts(
  enrichment: Enrichment | null | undefined,
  account?: { plan?: string | null; tier?: string | null; billingState?: string | null; seats?: number | null } | null,
): CustomerFacts {
  const e = enrichment ?? null;
  const billing = e?.billing ?? null;
  const failed = billing?.paymentFailed ?? null;
  const page = e?.page ?? null;
  const errors = [
    ...((page?.recentErrors as string[] | undefined) ?? []),
    ...(e?.usage?.recentErrors.map((r) => r.message) ?? []),
  ];
  return {
    plan: e?.account?.plan ?? billing?.plan ?? account?.plan ?? null,
    tier: e?.account?.tier ?? account?.tier ?? null,
    billingState: e?.account?.billingState ?? billing?.state ?? account?.billingState ?? null,
    failedPayment: failed
      ? {
          invoiceId: failed.invoiceId,
          amount: money(failed.amountDue, failed.currency),
          on: day(failed.at),
          reason: failed.reason,
          payUrl: failed.invoiceUrl,
          nextAttempt: day(failed.nextPaymentAttempt),
        }
      : null,
    trialEnd: day(billing?.trialEnd),
    seats: e?.account?.seats ?? billing?.seats ?? account?.seats ?? null,
    renewalDate: day(e?.account?.renewalDate ?? billing?.renewalDate),
    page: page
      ? { url: str(page.url), route: str(page.route), featureId: str(page.featureId), title: str(page.title) }
      : null,
    recentErrors: [...new Set(errors)].slice(0, 5),
  };
}

/**
 * The facts as short plain sentences (for a prompt or a brief), most important first; none when nothing is
 * known. `links: false` leaves out the pay link and the page's address (a hosted invoice link is a bearer
 * secret: it never goes to a model).
 */
export function factLines(f: CustomerFacts, opts: { links?: boolean } = {}): string[] {
  const links = opts.links ?? true;
  const lines: string[] = [];
  const plan = [
    f.tier ? `tier ${f.tier}` : null,
    f.plan ? `plan ${f.plan}` : null,
    f.seats !== null ? `${f.seats} seats` : null,
  ].filter(Boolean);
  if (f.failedPayment) {
    const p = f.failedPayment;
    lines.push(
      `Billing: ${f.billingState ?? 'unknown'}; the ` +
        `payment${p.amount ? ` of ${p.amount}` : ''}${p.invoiceId ? ` for invoice ${p.invoiceId}` : ''} failed` +
        `${p.on ? ` on ${p.on}` : ''}${p.reason ? ` (${p.reason})` : ''}` +
        `${p.payUrl && links ? `; it can be paid at ${p.payUrl}` : ''}` +
        `${p.nextAttempt ? `; next attempt ${p.nextAttempt}` : ''}.`,
    );
  } else if (f.billingState && f.billingState !== 'none') lines.push(`Billing: ${f.billingState}.`);
  if (plan.length) lines.push(`Account: ${plan.join(', ')}.`);
  if (f.trialEnd) lines.push(`Trial ends ${f.trialEnd}.`);
  if (f.renewalDate) lines.push(`Renews ${f.renewalDate}.`);
  if (f.page) {
    const where = f.page.featureId ?? f.page.route ?? f.page.title ?? f.page.url;
    if (where)
      lines.push(`On the page: ${where}${links && f.page.url && f.page.url !== where ? ` (${f.page.url})` : ''}.`);
  }
  if (f.recentErrors.length)
    lines.push(`Recent errors: ${f.recentErrors.map((e) => `"${e.slice(0, 160)}"`).join(', ')}.`);
  return lines;
}

/** An ask about losing access: locked, suspended, blocked, read-only, cannot log in or use the product. */
export const ACCESS_ASK_RE = new RegExp(
  String.raw`\b(?:lock(?:ed)?(?: out)?|suspend(?:ed)?|block(?:ed)?|disabled|deactivated|read[- ]only|` +
    String.raw`restricted|frozen|paused|no access|lost access|access (?:denied|revoked)|(?:can'?t|cannot|can ` +
    String.raw`not|unable to) (?:log ?in|sign ?in|access|get in(?:to)?|use|open))\b`,
  'i',
);
/** An ask about paying. */
export const BILLING_ASK_RE = new RegExp(
  String.raw`\b(?:pay|paid|payment|payments|card|charge|charged|invoice|invoices|billing|billed|bill|` +
    String.raw`subscription|declined|past due|overdue)\b`,
  'i',
);

/**
 * The billing notice of a past-due account whose payment failed, when the ask is about access or paying:
 * that the payment failed, when, and where to pay. Sentences built from the facts only; null otherwise.
 * @example billingNotice('Why has our account been locked?', facts)?.[0] // "Your account is past due: the payment of
 * USD 245.00 for invoice in_1 failed on 2026-12-01."
 */
export function billingNotice(ask: string, f: CustomerFacts): string[] | null {
  const p = f.failedPayment;
  if (f.billingState !== 'past_due' || !p || !(ACCESS_ASK_RE.test(ask) || BILLING_ASK_RE.test(ask))) return null;
  const lines = [
    `Your account is past due: the payment` +
      `${p.amount ? ` of ${p.amount}` : ''}${p.invoiceId ? ` for invoice ${p.invoiceId}` : ''} failed` +
      `${p.on ? ` on ${p.on}` : ''}${p.reason ? ` (${p.reason})` : ''}.`,
  ];
  if (p.payUrl) lines.push(`You can pay the invoice here: ${p.payUrl}`);
  if (p.nextAttempt) lines.push(`Otherwise the card on file will be charged again on ${p.nextAttempt}.`);
  return lines;
}
