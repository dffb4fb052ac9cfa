import { and, eq, or } from 'drizzle-orm';
import type { CrmFacts } from '../domain/stage-results.js';
import { AI_ANSWERED, DRAFT_PREFIX } from '../domain/tags.js';
import { planAssignment, type AgentRoom, type AssignAction } from '../routing/apply.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { addMessage } from '../tickets/add-message.js';
import { updateTicket } from '../tickets/update-ticket.js';
import { slaTargets } from '../sla/state.js';
import { trySnapshotOf } from '../handoff/snapshot.js';
import { accounts, customers, tickets, type TicketRow } from '../store/schema.js';
import type { DecidedRun } from './types.js';

/** The assistant, as whom the pipeline acts. */
export const assistant = { type: 'assistant' as const, id: null };

/** A ticket's fields a run changes, written with the batch's others (`bulkUpdate`). */
export type TicketUpdate = { id: string } & Partial<typeof tickets.$inferInsert>;

/**
 * Applies the stages' actions to a ticket (its row locked by the caller) as the assistant. The ticket's own
 * fields (intent, priority with its SLA targets, tags, the status a hand-off opens, team and assignee) are
 * written in one update; actions that go through other services (a reply, an account) run in order after it.
 * An assignment takes its place from `room`, the batch's count of the agents' room. The last update is added
 * to `updates`, which the caller writes for the whole batch.
 */
export async function applyActions(
  ctx: Ctx,
  locked: TicketRow | undefined,
  run: DecidedRun,
  room: AgentRoom,
  updates: TicketUpdate[],
): Promise<void> {
  // The ticket may have been closed while the stages ran: a closed ticket is not touched.
  if (!locked || locked.status === 'closed') return;
  const ticketId = locked.id;
  let row = locked;
  let set: Partial<typeof tickets.$inferInsert> = {};
  // `last`: the ticket's remaining fields join the batch's update (`updates`) rather than being written now.
  const flush = async (last = false) => {
    if (set.priority)
      Object.assign(
        set,
        await slaTargets(ctx, run.input.account?.tier ?? null, set.priority, row.createdAt, row.slaPausedMinutes),
      );
    if (Object.keys(set).length) {
      if (last) updates.push({ id: ticketId, ...set });
      else await ctx.db.update(tickets).set(set).where(eq(tickets.id, ticketId));
    }
    row = { ...row, ...set } as TicketRow;
    set = {};
  };
  const handOff = async (reason: string, detail: string) => {
    // What the handoff packet shows now, kept with the event (the packet itself changes with the ticket).
    const packet = trySnapshotOf({
      messages: run.input.messages
        .filter((m) => m.authorType === 'customer' && m.visibility === 'public')
        .map((m) => m.text),
      enrichment: run.input.enrichment,
      account: run.input.account,
      customer: run.input.customer,
      page: run.input.ticket.pageContext,
      intent: set.intent ?? row.intent,
    });
    await appendEvent(ctx, 'ticket.handed_off', ticketId, { reason, detail, packet });
    if ((set.status ?? row.status) !== 'new') return;
    Object.assign(set, { status: 'open', updatedAt: ctx.now() });
    await appendEvent(ctx, 'ticket.status_changed', ticketId, { from: 'new', to: 'open' });
  };
  for (const action of run.actions) {
    switch (action.type) {
      case 'set_intent':
        // An agent's label wins over the model's guess.
        if (row.intent && row.intentConfidence === null) break;
        Object.assign(set, { intent: action.intent, intentConfidence: action.confidence });
        if (row.intent !== action.intent)
          await appendEvent(ctx, 'ticket.intent_changed', ticketId, {
            from: row.intent,
            to: action.intent,
            confidence: action.confidence,
          });
        break;
      case 'set_priority':
        if ((set.priority ?? row.priority) === action.priority) break;
        await appendEvent(ctx, 'ticket.priority_changed', ticketId, {
          from: set.priority ?? row.priority,
          to: action.priority,
        });
        set.priority = action.priority;
        break;
      case 'add_tags':
        set.tags = [...new Set([...(set.tags ?? row.tags), ...action.tags])];
        break;
      case 'hand_off':
        await handOff(action.reason, action.detail);
        break;
      case 'auto_resolve':
        await flush();
        await addMessage(
          ctx,
          ticketId,
          { text: action.text, html: action.html ?? undefined, visibility: 'public', attachments: [] },
          assistant,
        );
        await updateTicket(ctx, ticketId, { status: 'resolved', tags: [...new Set([...row.tags, AI_ANSWERED])] });
        break;
      case 'assign': {
        // Someone assigned the ticket while the stages ran: their choice stands.
        if ((set.assigneeId ?? row.assigneeId) !== null) break;
        const planned = await planAssignment(ctx, { ...row, ...set }, action as AssignAction, room, 'handed_off');
        Object.assign(set, planned.set);
        break;
      }
      case 'sync_account':
        await flush();
        await syncAccountFromCrm(ctx, action);
        break;
      case 'draft': {
        await flush();
        const { ticket } = await addMessage(
          ctx,
          ticketId,
          { text: `${DRAFT_PREFIX}${action.text}`, visibility: 'internal', attachments: [] },
          assistant,
        );
        row = { ...row, ...ticket };
        await handOff('shadow_mode', 'the assistant drafted a reply for a human to approve');
        break;
      }
    }
  }
  await flush(true);
}

/**
 * Keeps what the CRM said on the account: its tier (the CRM wins when its tier property is set), CRM id,
 * domain, lifecycle stage, renewal date and owner (unless one is set already). A customer without an account
 * gets the CRM company's account (found by CRM id or domain, else created).
 */
export async function syncAccountFromCrm(
  ctx: Ctx,
  action: { accountId: string | null; customerId: string | null; crm: CrmFacts },
): Promise<void> {
  const { crm } = action;
  let accountId = action.accountId;
  if (!accountId) {
    const [found] = await ctx.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(
        and(
          eq(accounts.workspaceId, ctx.workspaceId),
          or(eq(accounts.crmId, crm.companyId), crm.domain ? eq(accounts.domain, crm.domain) : undefined),
        ),
      )
      .limit(1);
    accountId = found?.id ?? null;
    if (!accountId) {
      const [created] = await ctx.db
        .insert(accounts)
        .values({
          workspaceId: ctx.workspaceId,
          name: crm.companyName ?? crm.domain ?? `CRM company ${crm.companyId}`,
          domain: crm.domain,
          tier: crm.tier ?? 'free',
          crmId: crm.companyId,
          createdAt: ctx.now(),
          updatedAt: ctx.now(),
        })
        .returning({ id: accounts.id });
      accountId = created!.id;
    }
    if (action.customerId) {
      await ctx.db
        .update(customers)
        .set({ accountId, updatedAt: ctx.now() })
        .where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.id, action.customerId)));
    }
  }
  const [row] = await ctx.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.id, accountId)));
  if (!row) return;
  const attributes: Record<string, unknown> = { ...row.attributes, crmSyncedAt: crm.syncedAt };
  if (crm.lifecycleStage) attributes.lifecycleStage = crm.lifecycleStage;
  if (crm.renewalDate) attributes.renewalDate = crm.renewalDate;
  if (crm.ownerEmail && !attributes.ownerEmail && !attributes.ownerAgentId) attributes.ownerEmail = crm.ownerEmail;
  await ctx.db
    .update(accounts)
    .set({
      tier: crm.tier ?? row.tier,
      crmId: row.crmId ?? crm.companyId,
      domain: row.domain ?? crm.domain,
      attributes,
      updatedAt: ctx.now(),
    })
    .where(eq(accounts.id, accountId));
}
