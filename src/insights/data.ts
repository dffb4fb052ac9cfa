/** What the insights read about tickets in a time window: one row per ticket with its facts. */
import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import type { Ctx } from '../store/ctx.js';
import { accounts, customers, tickets, ticketTopics } from '../store/schema.js';
import { firstCustomerMessages } from '../store/repos/messages.js';

export interface TicketFact {
  id: string;
  subject: string;
  createdAt: Date;
  status: string;
  intent: string | null;
  customerId: string | null;
  accountId: string | null;
  tier: string | null;
  /** The page's feature id, else its route. */
  feature: string | null;
  route: string | null;
  url: string | null;
  appVersion: string | null;
  /** Error messages from the page context, normalised (ids and numbers replaced). */
  errors: string[];
  topicId: string | null;
  reopenCount: number;
  resolvedAt: Date | null;
  slaBreached: boolean;
}

/** Replaces what varies between occurrences of the same error (ids, hex, positions of any length, long numbers) so they
 * group. */
export function normaliseError(message: string): string {
  return (
    message
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
      .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
      .replace(/\b[0-9a-f]{16,}\b/gi, '<hex>')
      // positions (`file.js:123:45`, `line 123`) and numbers of four or more digits vary; a short standalone number
      // (an HTTP status) is part of what the error is
      .replace(/:\d+/g, ':<n>')
      .replace(/\b(line|col|column|row|offset|position|pos) \d+/gi, '$1 <n>')
      .replace(/(?<![A-Za-z])\d{4,}(?![A-Za-z])/g, '<n>')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300)
  );
}

/** The facts of the workspace's tickets created in [from, to] (and, with `ids`, among those), oldest first. */
export async function loadTicketFacts(
  ctx: Ctx,
  from: Date,
  to: Date = ctx.now(),
  ids?: readonly string[],
): Promise<TicketFact[]> {
  if (ids && ids.length === 0) return [];
  const rows = await ctx.db
    .select({
      id: tickets.id,
      subject: tickets.subject,
      createdAt: tickets.createdAt,
      status: tickets.status,
      intent: tickets.intent,
      customerId: tickets.customerId,
      accountId: customers.accountId,
      tier: accounts.tier,
      pageContext: tickets.pageContext,
      topicId: ticketTopics.topicId,
      reopenCount: tickets.reopenCount,
      resolvedAt: tickets.resolvedAt,
      frBreach: tickets.firstResponseBreachedAt,
      resBreach: tickets.resolutionBreachedAt,
    })
    .from(tickets)
    .leftJoin(customers, eq(customers.id, tickets.customerId))
    .leftJoin(accounts, eq(accounts.id, customers.accountId))
    .leftJoin(ticketTopics, eq(ticketTopics.ticketId, tickets.id))
    .where(
      and(
        eq(tickets.workspaceId, ctx.workspaceId),
        gte(tickets.createdAt, from),
        lte(tickets.createdAt, to),
        ids ? inArray(tickets.id, [...ids]) : undefined,
      ),
    )
    .orderBy(asc(tickets.createdAt), asc(tickets.id));
  return rows.map((r) => ({
    id: r.id,
    subject: r.subject,
    createdAt: r.createdAt,
    status: r.status,
    intent: r.intent,
    customerId: r.customerId,
    accountId: r.accountId,
    tier: r.tier,
    feature: r.pageContext?.featureId ?? r.pageContext?.route ?? null,
    route: r.pageContext?.route ?? null,
    url: r.pageContext?.url ?? null,
    appVersion: r.pageContext?.appVersion ?? null,
    errors: [...new Set((r.pageContext?.recentErrors ?? []).map(normaliseError).filter(Boolean))],
    topicId: r.topicId,
    reopenCount: r.reopenCount,
    resolvedAt: r.resolvedAt,
    slaBreached: !!(r.frBreach || r.resBreach),
  }));
}

/** Each ticket's text: its subject and first customer message. */
export async function ticketTexts(
  ctx: Ctx,
  rows: readonly { id: string; subject: string }[],
): Promise<Map<string, string>> {
  const first = await firstCustomerMessages(
    ctx.db,
    ctx.workspaceId,
    rows.map((r) => r.id),
  );
  return new Map(rows.map((r) => [r.id, `${r.subject}\n${first.get(r.id) ?? ''}`.trim()]));
}
