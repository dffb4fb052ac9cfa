import type { Account, Message, PageContextInput, Ticket } from '../../domain/schemas.js';
import { AI_ANSWERED } from '../../domain/tags.js';
import { enrichAccount, runSource, type SourceFacts } from '../ports/enrichment.js';
import type { Enrichment } from '../../domain/stage-results.js';
import type { PipelineInput, Stage, TicketAction } from '../types.js';

const DAY = 86_400_000;

/** The page the customer is on: the latest customer message that carried a page context, else the ticket's. */
export function latestPage(
  ticket: Pick<Ticket, 'pageContext'>,
  messages: Pick<Message, 'authorType' | 'pageContext' | 'createdAt'>[],
): { page: PageContextInput | null; source: 'message' | 'ticket' | null } {
  const fromMessage = [...messages]
    .filter((m) => m.authorType === 'customer' && m.pageContext)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  if (fromMessage?.pageContext) return { page: fromMessage.pageContext, source: 'message' };
  return ticket.pageContext ? { page: ticket.pageContext, source: 'ticket' } : { page: null, source: null };
}

/** The first source's facts of one kind (the sources in their configured order), or null when none had any. */
export function firstFact<K extends keyof SourceFacts>(
  runs: readonly { facts: SourceFacts | null }[],
  key: K,
): NonNullable<SourceFacts[K]> | null {
  for (const r of runs) {
    const facts = r.facts?.[key];
    if (facts !== undefined) return facts ?? null;
  }
  return null;
}

function outcomeOf(t: PipelineInput['history'][number]): string {
  if (t.status === 'resolved' || t.status === 'closed')
    return t.tags.includes(AI_ANSWERED) ? 'resolved_by_assistant' : 'resolved_by_agent';
  return 'open';
}

/**
 * Enrich: who is asking. The stored customer, account and previous tickets (with their outcomes), the page
 * they are on, and what each configured source adds — billing state (Stripe), the CRM company (HubSpot) and
 * product usage — each with its timeout. A source that is not configured, knows nothing, is slow or fails is
 * listed in `missing` and the ticket goes on with what is known.
 */
export const enrichStage: Stage<'enrich'> = {
  name: 'enrich',
  // Later stages see the account and page as enrichment found them.
  overlay: (input, result) => applyEnrichment(input, result),
  async run(input, _earlier, ports) {
    const { account, customer, history, ticket, now } = input;
    const sources = ports.enrichmentSources ? await ports.enrichmentSources(input.workspaceId) : [];
    const subject = { workspaceId: input.workspaceId, customer, account, now };
    const runs = await Promise.all(sources.map((s) => runSource(s, subject)));
    const billing = firstFact(runs, 'billing');
    const crm = firstFact(runs, 'crm');
    const usage = firstFact(runs, 'usage');
    const { page, source: pageSource } = latestPage(ticket, input.messages);
    const others = history.filter((t) => t.id !== ticket.id);
    const missing = [
      !customer && 'customer',
      !account && !crm && 'account',
      ...runs.filter((r) => r.report.status !== 'ok').map((r) => r.report.source),
    ].filter((x): x is string => !!x);
    const result: Enrichment = {
      customer: customer
        ? { id: customer.id, name: customer.name, email: customer.email, locale: customer.locale }
        : null,
      account: enrichAccount(account, billing, crm, now),
      billing,
      crm,
      usage,
      page: page ?? null,
      pageSource,
      previousTickets: others.length,
      recentTickets7d: others.filter((t) => now.getTime() - t.createdAt.getTime() <= 7 * DAY).length,
      reopenedBefore: others.filter((t) => t.reopenCount > 0).length,
      history: others.slice(0, 10).map((t) => ({
        id: t.id,
        subject: t.subject,
        intent: t.intent,
        status: t.status,
        outcome: outcomeOf(t),
        reopened: t.reopenCount > 0,
        createdAt: t.createdAt.toISOString(),
      })),
      sources: runs.map((r) => r.report),
      missing,
    };
    const actions: TicketAction[] =
      crm && !crm.cached
        ? [{ type: 'sync_account', accountId: account?.id ?? null, customerId: customer?.id ?? null, crm }]
        : [];
    return { result, actions };
  },
};

/**
 * The input the later stages see: the account overlaid with what enrichment found (tier from the CRM,
 * billing state, plan and MRR from billing, owner and lifecycle), and the latest page context on the ticket.
 */
export function applyEnrichment(input: PipelineInput, enrichment: Enrichment): PipelineInput {
  const e = enrichment.account;
  let account: Account | null = input.account;
  // Without a stored account, only a CRM company stands in for one (it is created when the actions apply);
  // billing facts alone reach the stages through `enrichment`.
  if (e && (input.account || enrichment.crm)) {
    const base: Account = input.account ?? {
      id: '',
      externalId: null,
      name: e.name ?? 'Unknown company',
      domain: enrichment.crm?.domain ?? null,
      tier: e.tier ?? 'free',
      plan: null,
      mrr: 0,
      seats: null,
      billingState: 'none',
      crmId: enrichment.crm?.companyId ?? null,
      attributes: {},
      createdAt: input.now,
      updatedAt: input.now,
    };
    const attributes = { ...base.attributes };
    if (e.owner?.email && !attributes.ownerEmail && !attributes.ownerAgentId) attributes.ownerEmail = e.owner.email;
    if (e.lifecycleStage && !attributes.lifecycleStage) attributes.lifecycleStage = e.lifecycleStage;
    if (e.renewalDate && !attributes.renewalDate) attributes.renewalDate = e.renewalDate;
    account = {
      ...base,
      tier: e.tier ?? base.tier,
      plan: e.plan,
      mrr: e.mrr,
      seats: e.seats,
      billingState: e.billingState,
      attributes,
    };
  }
  const ticket = enrichment.page ? { ...input.ticket, pageContext: enrichment.page } : input.ticket;
  return { ...input, account, ticket, enrichment };
}
