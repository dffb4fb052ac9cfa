/**
 * What the enrich stage gathers about who is asking, and the pluggable sources it asks (billing, CRM,
 * product usage). Each source runs with a timeout; one that is missing, slow or failing never blocks the
 * ticket: the stage goes on with what is known and records each source's status.
 */
import type { Account, Customer } from '../../domain/schemas.js';
import type {
  BillingFacts,
  CrmFacts,
  EnrichedAccount,
  SourceReport,
  UsageSummary,
} from '../../domain/stage-results.js';

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

/** Runs one source with its timeout; never throws. */
export async function runSource(
  source: EnrichmentSource,
  subject: EnrichmentSubject,
): Promise<{ report: SourceReport; facts: SourceFacts | null }> {
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
      return {
        report: {
          source: source.name,
          status: 'timed_out',
          ms: ms(),
          detail: `no answer within ${source.timeoutMs} ms`,
        },
        facts: null,
      };
    }
    const empty = !outcome || Object.values(outcome).every((v) => v === undefined);
    return {
      report: {
        source: source.name,
        status: empty ? 'empty' : 'ok',
        ms: ms(),
        detail: empty ? 'nothing known about this customer' : null,
      },
      facts: empty ? null : outcome,
    };
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
  if (
    billing.state === 'downgraded' &&
    billing.downgradedAt &&
    now.getTime() - new Date(billing.downgradedAt).getTime() > DOWNGRADE_WINDOW_MS
  )
    return 'active';
  return billing.state;
}

/** Merges the stored account with what the CRM and billing sources found. */
export function enrichAccount(
  account: Account | null,
  billing: BillingFacts | null,
  crm: CrmFacts | null,
  now: Date,
): EnrichedAccount | null {
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
    owner:
      ownerAgentId || ownerEmail ? { agentId: ownerAgentId, email: ownerEmail, name: crm?.ownerName ?? null } : null,
  };
}
