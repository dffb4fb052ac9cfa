import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { assertStorableText } from '../domain/text.js';
import type { Message, Ticket, TicketCreate } from '../domain/schemas.js';
import { slaTargetsOf } from '../sla/state.js';
import { bulkInsert } from '../store/bulk.js';
import { accounts, messages, ticketColumns, tickets } from '../store/schema.js';
import { slaOf } from '../sla/settings.js';
import { getWorkspace } from '../people/get-workspace.js';
import type { Actor, Ctx } from '../store/ctx.js';
import { resolveCustomerRefs } from '../people/resolve-customer-ref.js';
import { appendEvent } from '../events/timeline.js';
import { mapUnique } from '../store/pg-errors.js';
import { padToPowerOfTwo } from '../ingest/group-commit.js';
import {
  SEARCH_CHARS,
  TICKET_SEARCH_INSERT,
  toTicket,
  toMessage,
  prepareBody,
  messageValues,
  messageColumns,
} from './ticket-rows.js';

/**
 * The ticket row a new ticket is inserted as, with its SLA fields and the text its search vector is computed
 * from (`searchText`, see `NEW_TICKET_SEARCH`).
 */
function newTicketValues(
  ctx: Ctx,
  input: TicketCreate,
  body: { text: string },
  customerId: string,
  sla: object,
  now: Date,
) {
  return {
    workspaceId: ctx.workspaceId,
    subject: input.subject,
    channel: input.channel,
    priority: input.priority ?? 'normal',
    ...sla,
    tags: [...new Set(input.tags)],
    customerId,
    // the message's page wins, as for later messages
    pageContext: input.message.pageContext ?? input.pageContext ?? null,
    externalId: input.externalId ?? null,
    searchText: body.text.slice(0, SEARCH_CHARS),
    lastMessageAt: now,
    createdAt: now,
    updatedAt: now,
  };
}

/** How new tickets are inserted: searchable by subject and first message, as once their first message is added. */
const NEW_TICKET_SEARCH = { ...TICKET_SEARCH_INSERT, returning: ticketColumns };

/**
 * Opens a ticket with its first customer message; the customer is found or created. With `sla`, the ticket
 * is inserted with its SLA policy and due times (as `applySla` computes them). Call inside a transaction.
 */
export async function createTicket(
  ctx: Ctx,
  input: TicketCreate,
  opts: { sla?: boolean } = {},
): Promise<{ ticket: Ticket; message: Message }> {
  const [created] = await createTickets(ctx, [draftTicket(input, ctx.actor)], opts);
  return created!;
}

/** A ticket to open with `createTickets`: the request, who sends it, and its checked first message body. */
export interface TicketDraft {
  input: TicketCreate;
  actor: Actor;
  body: { text: string; html: string | null };
}

/** Checks a new ticket's first message (throws what `createTicket` throws for a bad body) and drafts it. */
export function draftTicket(input: TicketCreate, actor: Actor): TicketDraft {
  assertStorableText(input, 'ticket');
  return { input, actor, body: prepareBody(input.message) };
}

/**
 * `createTicket` for many tickets of one workspace at once, as if opened one after another (each with its
 * own actor): customers are resolved together, and the tickets and their first messages are each inserted
 * in one statement (events are batched under `withEventBatch`). Returns one result per draft, in order.
 * All or nothing: call inside a transaction; a duplicate externalId fails them all.
 */
export async function createTickets(
  ctx: Ctx,
  drafts: TicketDraft[],
  opts: { sla?: boolean } = {},
): Promise<{ ticket: Ticket; message: Message }[]> {
  if (!drafts.length) return [];
  const people = await resolveCustomerRefs(
    ctx,
    drafts.map((d) => d.input.customer),
  );
  const now = ctx.now();
  let slas: object[] = drafts.map(() => ({}));
  if (opts.sla) {
    const accountIds = padToPowerOfTwo([...new Set(people.flatMap((c) => (c.accountId ? [c.accountId] : [])))]);
    const tiers = new Map(
      (accountIds.length
        ? await ctx.db
            .select({ id: accounts.id, tier: accounts.tier })
            .from(accounts)
            .where(inArray(accounts.id, accountIds))
        : []
      ).map((a) => [a.id, a.tier]),
    );
    // The workspace's SLA settings read once for the group, in this transaction (not through the shared
    // configuration cache, whose pending reads may wait for this transaction to end).
    const settings = slaOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
    slas = drafts.map((d, i) => {
      const accountId = people[i]!.accountId;
      return slaTargetsOf(settings, (accountId && tiers.get(accountId)) ?? null, d.input.priority ?? 'normal', now);
    });
  }
  const ticketIds = drafts.map(() => randomUUID());
  const ticketRows = await mapUnique('A ticket with this externalId', () =>
    bulkInsert(
      ctx.db,
      tickets,
      drafts.map((d, i) => ({
        id: ticketIds[i]!,
        ...newTicketValues(ctx, d.input, d.body, people[i]!.id, slas[i]!, now),
      })),
      NEW_TICKET_SEARCH,
    ),
  );
  const messageIds = drafts.map(() => randomUUID());
  const messageRows = await bulkInsert(
    ctx.db,
    messages,
    drafts.map((d, i) => ({
      id: messageIds[i]!,
      ...messageValues(
        ctx,
        ticketIds[i]!,
        { ...d.input.message, visibility: 'public' },
        d.body,
        { type: 'customer', id: people[i]!.id },
        now,
      ),
    })),
    { returning: messageColumns },
  );
  const ticketById = new Map(ticketRows.map((r) => [r.id, r]));
  const messageById = new Map(messageRows.map((r) => [r.id, r]));
  const results: { ticket: Ticket; message: Message }[] = [];
  for (const [i, d] of drafts.entries()) {
    const customerId = people[i]!.id;
    await appendEvent({ ...ctx, actor: d.actor }, 'ticket.created', ticketIds[i]!, {
      channel: d.input.channel,
      customerId,
    });
    await appendEvent({ ...ctx, actor: { type: 'customer', id: customerId } }, 'message.created', ticketIds[i]!, {
      messageId: messageIds[i]!,
      authorType: 'customer',
      visibility: 'public',
    });
    results.push({
      ticket: toTicket(ticketById.get(ticketIds[i]!)!),
      message: toMessage(messageById.get(messageIds[i]!)!),
    });
  }
  return results;
}
