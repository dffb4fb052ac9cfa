import { and, eq, inArray } from 'drizzle-orm';
import { PRIORITIES } from '../domain/enums.js';
import type { Ticket } from '../domain/schemas.js';
import type { Understood } from '../domain/stage-results.js';
import type { IntentPrediction, MultiIntent } from '../nlp/intent/index.js';
import type { DbOrTx } from '../store/db.js';
import { accounts, customers, tickets } from '../store/schema.js';
import { stageDecisions } from '../store/repos/decisions.js';
import type { TicketFacts } from './router.js';

/** What the understand stage found, as far as routing reads it. */
type UnderstoodFacts = Partial<Pick<Understood, 'language' | 'urgency'>> & { intent?: IntentSeen | null | undefined };
/** The intent the understand stage predicted, as far as uncertainty goes. */
type IntentSeen = Pick<IntentPrediction, 'intent' | 'topIntent' | 'alternatives'> & {
  multiIntent: Pick<MultiIntent, 'intents'> | null;
};

type TicketFields = Pick<Ticket, 'intent' | 'priority' | 'tags' | 'channel' | 'pageContext' | 'teamId'>;

/** Alternatives at least this probable count as intents an uncertain ticket may be about (at most three). */
const ALTERNATIVE_MIN = 0.1;

/**
 * Whether the understand stage was unsure of the intent, and the intents it weighed: several intents at
 * once (the multi-intent parts), or out of scope (its most probable alternatives).
 */
export function uncertaintyOf(intent: IntentSeen | null | undefined): TicketFacts['uncertain'] {
  if (!intent) return null;
  if (intent.multiIntent?.intents.length)
    return { reason: 'multi_intent', alternatives: [...new Set(intent.multiIntent.intents)] };
  if (intent.intent) return null;
  const alternatives = (intent.alternatives ?? [])
    .filter((a) => a.probability >= ALTERNATIVE_MIN)
    .slice(0, 3)
    .map((a) => a.intent);
  return {
    reason: 'out_of_scope',
    alternatives: alternatives.length ? alternatives : intent.topIntent ? [intent.topIntent] : [],
  };
}

/** The ticket facts the router reads, from the ticket, its account and what the understand stage found. */
export function factsOf(
  ticket: TicketFields,
  account: { tier: string; attributes: Record<string, unknown> } | null,
  understood: UnderstoodFacts | null,
  extraTags: string[] = [],
): TicketFacts {
  const urgent = understood?.urgency?.priority;
  const priority =
    urgent && PRIORITIES.indexOf(urgent) > PRIORITIES.indexOf(ticket.priority) ? urgent : ticket.priority;
  return {
    intent: understood?.intent?.intent ?? ticket.intent,
    tier: account?.tier ?? null,
    language: understood?.language?.language ?? null,
    priority,
    tags: [...new Set([...ticket.tags, ...extraTags])],
    channel: ticket.channel,
    page: ticket.pageContext,
    accountAttributes: account?.attributes ?? {},
    teamId: ticket.teamId,
    // a person's label (or an earlier decision) on the ticket settles the intent
    uncertain: ticket.intent ? null : uncertaintyOf(understood?.intent),
  };
}

/** Facts of stored tickets (their account, and the language their latest understand stage found), by ticket id. */
export async function loadTicketFacts(
  db: DbOrTx,
  workspaceId: string,
  rows: (TicketFields & { id: string })[],
): Promise<Map<string, { facts: TicketFacts; accountAttributes: Record<string, unknown> | null }>> {
  const ids = rows.map((r) => r.id);
  if (!ids.length) return new Map();
  const [accountRows, understandRows] = await Promise.all([
    db
      .select({ ticketId: tickets.id, tier: accounts.tier, attributes: accounts.attributes })
      .from(tickets)
      .innerJoin(customers, eq(customers.id, tickets.customerId))
      .innerJoin(accounts, eq(accounts.id, customers.accountId))
      .where(and(eq(tickets.workspaceId, workspaceId), inArray(tickets.id, ids))),
    stageDecisions(db, 'understand', { workspaceId, ticketIds: ids }),
  ]);
  const out = new Map<string, { facts: TicketFacts; accountAttributes: Record<string, unknown> | null }>();
  for (const row of rows) {
    const account = accountRows.find((a) => a.ticketId === row.id) ?? null;
    const understood = understandRows.find((u) => u.ticketId === row.id)?.result ?? null;
    // The stored priority already includes the understand stage's urgency.
    out.set(row.id, {
      facts: factsOf(row, account, understood ? { language: understood.language } : null),
      accountAttributes: account?.attributes ?? null,
    });
  }
  return out;
}
