/**
 * What the enrich stage gathers about who is asking, and the pluggable sources it asks (billing, CRM,
 * product usage). Each source runs with a timeout; one that is missing, slow or failing never blocks the
 * ticket: the stage goes on with what is known and records each source's status.
 */
import { z } from 'zod';
import type { Account, Customer } from '../../domain/schemas.js';

const iso = z.string();

/** A failed payment as the billing provider reported it. */
export const PaymentFailureSchema = z.object({
  invoiceId: z.string().nullable(),
  amountDue: z.number().nullable(),
  currency: z.string().nullable(),
  attemptCount: z.number().nullable(),
  nextPaymentAttempt: iso.nullable(),
  reason: z.string().nullable(),
  invoiceUrl: z.string().nullable(),
  at: iso,
});
export type PaymentFailure = z.infer<typeof PaymentFailureSchema>;

/** Billing state of the customer's account (from signed Stripe webhooks or an on-demand look-up). */
export const BillingFactsSchema = z.object({
  provider: z.string(),
  customerId: z.string(),
  /** active | trialing | past_due | cancelled | downgraded | none */
  state: z.string(),
  /** The provider's own status (e.g. `unpaid`, `incomplete`). */
  status: z.string().nullable(),
  plan: z.string().nullable(),
  mrr: z.number().nullable(),
  currency: z.string().nullable(),
  seats: z.number().nullable(),
  renewalDate: iso.nullable(),
  trialEnd: iso.nullable(),
  cancelAt: iso.nullable(),
  cancelledAt: iso.nullable(),
  downgradedAt: iso.nullable(),
  previousPlan: z.string().nullable(),
  previousMrr: z.number().nullable(),
  paymentFailed: PaymentFailureSchema.nullable(),
  lastPaymentAt: iso.nullable(),
  lastRefund: z.object({ chargeId: z.string(), amount: z.number(), currency: z.string().nullable(), at: iso }).nullable(),
  /** `stored`: as signed webhooks (or an earlier look-up) left it; `lookup`: fetched through the API for this ticket. */
  via: z.enum(['stored', 'lookup']),
});
export type BillingFacts = z.infer<typeof BillingFactsSchema>;

/** The company (and contact) the CRM knows. */
export const CrmFactsSchema = z.object({
  provider: z.string(),
  companyId: z.string(),
  companyName: z.string().nullable(),
  domain: z.string().nullable(),
  contactId: z.string().nullable(),
  /** The tier read from the configured property (mapped), or null when the property is empty. */
  tier: z.string().nullable(),
  tierProperty: z.string(),
  lifecycleStage: z.string().nullable(),
  renewalDate: z.string().nullable(),
  ownerId: z.string().nullable(),
  ownerEmail: z.string().nullable(),
  ownerName: z.string().nullable(),
  /** When the CRM was asked; `cached` facts come from the account, synced within the refresh interval. */
  syncedAt: iso,
  cached: z.boolean(),
});
export type CrmFacts = z.infer<typeof CrmFactsSchema>;

/** The customer's product usage, summarised. */
export const UsageSummarySchema = z.object({
  lastSeen: iso.nullable(),
  events30d: z.number(),
  features: z.array(z.object({ name: z.string(), count: z.number(), lastUsed: iso })),
  recentErrors: z.array(z.object({ message: z.string(), at: iso, event: z.string().nullable() })),
});
export type UsageSummary = z.infer<typeof UsageSummarySchema>;

/** What one source contributed. */
export interface SourceFacts {
  billing?: BillingFacts;
  crm?: CrmFacts;
  usage?: UsageSummary;
}

/** Who the sources are asked about. */
export interface EnrichmentSubject {
  workspaceId: string;
  customer: Customer | null;
  account: Account | null;
  now: Date;
}

/**
 * A pluggable source of facts. `load` returns null when it knows nothing about the subject; it should stop
 * when `signal` aborts (the stage stops waiting at `timeoutMs` either way).
 */
export interface EnrichmentSource {
  name: string;
  timeoutMs: number;
  load(subject: EnrichmentSubject, signal: AbortSignal): Promise<SourceFacts | null>;
}

export const SOURCE_STATUSES = ['ok', 'empty', 'timed_out', 'failed'] as const;
export const SourceReportSchema = z.object({
  source: z.string(),
  status: z.enum(SOURCE_STATUSES),
  ms: z.number(),
  detail: z.string().nullable(),
});
export type SourceReport = z.infer<typeof SourceReportSchema>;

/** The account as enrichment sees it: the stored account with what CRM and billing added. */
export const EnrichedAccountSchema = z.object({
  id: z.string().nullable(),
  name: z.string().nullable(),
  /** Null when neither a stored account nor the CRM says (billing alone does not tell a tier). */
  tier: z.string().nullable(),
  /** Where the tier came from: the stored account or the CRM. */
  tierSource: z.enum(['account', 'crm', 'unknown']),
  plan: z.string().nullable(),
  mrr: z.number(),
  seats: z.number().nullable(),
  billingState: z.string(),
  lifecycleStage: z.string().nullable(),
  renewalDate: z.string().nullable(),
  owner: z.object({ agentId: z.string().nullable(), email: z.string().nullable(), name: z.string().nullable() }).nullable(),
});
export type EnrichedAccount = z.infer<typeof EnrichedAccountSchema>;

export const PreviousTicketSchema = z.object({
  id: z.string(),
  subject: z.string(),
  intent: z.string().nullable(),
  status: z.string(),
  /** open | resolved_by_assistant | resolved_by_agent, with `reopened` when it was. */
  outcome: z.string(),
  reopened: z.boolean(),
  createdAt: iso,
});

/** The enrich stage's result (stored in the decision record). */
export const EnrichmentSchema = z.object({
  customer: z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable(), locale: z.string().nullable() }).nullable(),
  account: EnrichedAccountSchema.nullable(),
  billing: BillingFactsSchema.nullable(),
  crm: CrmFactsSchema.nullable(),
  usage: UsageSummarySchema.nullable(),
  page: z.record(z.string(), z.unknown()).nullable(),
  /** `message`: the latest customer message's page context; `ticket`: the ticket's. */
  pageSource: z.enum(['message', 'ticket']).nullable(),
  previousTickets: z.number(),
  recentTickets7d: z.number(),
  reopenedBefore: z.number(),
  history: z.array(PreviousTicketSchema),
  sources: z.array(SourceReportSchema),
  /** What is not known for this ticket: `customer`, `account`, and every source that was empty, slow or failed. */
  missing: z.array(z.string()),
});
export type Enrichment = z.infer<typeof EnrichmentSchema>;

/** Runs one source with its timeout; never throws. */
export async function runSource(source: EnrichmentSource, subject: EnrichmentSubject): Promise<{ report: SourceReport; facts: SourceFacts | null }> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), source.timeoutMs);
    });
    const loading = source.load(subject, controller.signal);
    const outcome = await Promise.race([loading, timedOut]);
    if (outcome === 'timeout') {
      controller.abort();
      loading.catch(() => undefined); // a late failure is of no interest any more
      return { report: { source: source.name, status: 'timed_out', ms: ms(), detail: `no answer within ${source.timeoutMs} ms` }, facts: null };
    }
    const empty = !outcome || Object.values(outcome).every((v) => v === undefined);
    return { report: { source: source.name, status: empty ? 'empty' : 'ok', ms: ms(), detail: empty ? 'nothing known about this customer' : null }, facts: empty ? null : outcome };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { report: { source: source.name, status: 'failed', ms: ms(), detail: message.slice(0, 300) }, facts: null };
  } finally {
    clearTimeout(timer);
  }
}

const DOWNGRADE_WINDOW_MS = 30 * 86_400_000;

/** The billing state in force now: a downgrade counts for 30 days, then the account is simply active. */
export function effectiveBillingState(billing: Pick<BillingFacts, 'state' | 'downgradedAt'>, now: Date): string {
  if (billing.state === 'downgraded' && billing.downgradedAt && now.getTime() - new Date(billing.downgradedAt).getTime() > DOWNGRADE_WINDOW_MS) return 'active';
  return billing.state;
}

/** Merges the stored account with what the CRM and billing sources found. */
export function enrichAccount(account: Account | null, billing: BillingFacts | null, crm: CrmFacts | null, now: Date): EnrichedAccount | null {
  if (!account && !billing && !crm) return null;
  const attrs = account?.attributes ?? {};
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
  const tier = crm?.tier ?? account?.tier ?? null;
  const ownerAgentId = str(attrs.ownerAgentId);
  const ownerEmail = str(attrs.ownerEmail) ?? crm?.ownerEmail ?? null;
  return {
    id: account?.id ?? null,
    name: account?.name ?? crm?.companyName ?? null,
    tier,
    tierSource: crm?.tier ? 'crm' : account ? 'account' : 'unknown',
    plan: billing?.plan ?? account?.plan ?? null,
    mrr: billing?.mrr ?? account?.mrr ?? 0,
    seats: billing?.seats ?? account?.seats ?? null,
    billingState: billing ? effectiveBillingState(billing, now) : (account?.billingState ?? 'none'),
    lifecycleStage: str(attrs.lifecycleStage) ?? crm?.lifecycleStage ?? null,
    renewalDate: str(attrs.renewalDate) ?? crm?.renewalDate ?? billing?.renewalDate ?? null,
    owner: ownerAgentId || ownerEmail ? { agentId: ownerAgentId, email: ownerEmail, name: crm?.ownerName ?? null } : null,
  };
}
