import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import { AI_ANSWERED, DRAFT_PREFIX, HUMAN_REQUESTED } from '../domain/tags.js';
import { AutonomySettingsPatchSchema, autonomyOf, type AutonomySettings } from '../domain/settings.js';
import type { Ticket } from '../domain/schemas.js';
import type { z } from 'zod';
import { events, messages, workspaces } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../services/events.js';
import { addMessage, getTicket, updateTicket } from './tickets.js';
import { getWorkspace } from '../people/workspaces.js';


/**
 * The customer's own controls: "this solved it" confirms (or sets) the resolution; "I need a human"
 * reopens the ticket for a person, and the assistant will not answer it again.
 */
export async function recordCustomerOutcome(ctx: Ctx, ticketId: string, outcome: 'solved' | 'need_human'): Promise<Ticket> {
  const ticket = await getTicket(ctx, ticketId);
  if (ticket.status === 'closed') throw new DeskmindError('ticket_closed');
  const customer = { ...ctx, actor: { type: 'customer' as const, id: ticket.customerId } };
  if (outcome === 'solved') {
    await appendEvent(customer, 'outcome.recorded', ticketId, { outcome: 'confirmed_solved', aiAnswered: ticket.tags.includes(AI_ANSWERED) });
    return ticket.status === 'resolved' ? getTicket(ctx, ticketId) : updateTicket(customer, ticketId, { status: 'resolved' });
  }
  await appendEvent(customer, 'outcome.recorded', ticketId, { outcome: 'asked_for_human', aiAnswered: ticket.tags.includes(AI_ANSWERED) });
  const tags = [...new Set([...ticket.tags, HUMAN_REQUESTED])];
  const updated = await updateTicket(customer, ticketId, { tags, ...(ticket.status === 'resolved' || ticket.status === 'snoozed' || ticket.status === 'pending' ? { status: 'open' as const } : {}) });
  await appendEvent(customer, 'ticket.handed_off', ticketId, { reason: 'human_requested', detail: 'the customer asked for a human' });
  return updated;
}

/**
 * Sends the assistant's latest draft (shadow mode) after a human approved it, possibly edited: as the
 * assistant when unchanged, as the agent when edited. The ticket is then resolved pending the customer.
 */
export async function approveDraft(ctx: Ctx, ticketId: string, edited?: string): Promise<Ticket> {
  const [draft] = await ctx.db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, ticketId), eq(messages.authorType, 'assistant'), eq(messages.visibility, 'internal')))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  if (!draft || !draft.bodyText.startsWith(DRAFT_PREFIX)) throw new DeskmindError('not_found', 'This ticket has no draft from the assistant');
  const original = draft.bodyText.slice(DRAFT_PREFIX.length);
  const text = edited?.trim() || original;
  const author = text === original ? { type: 'assistant' as const, id: null } : { type: 'agent' as const, id: ctx.actor.id };
  await addMessage(ctx, ticketId, { text, visibility: 'public', attachments: [] }, author);
  await appendEvent(ctx, 'outcome.recorded', ticketId, { outcome: text === original ? 'draft_approved' : 'draft_edited' });
  const ticket = await getTicket(ctx, ticketId);
  return updateTicket(ctx, ticketId, { status: 'resolved', tags: [...new Set([...ticket.tags, AI_ANSWERED])] });
}

/**
 * When an agent answers a ticket themselves while the assistant's draft waits for approval, the draft
 * was discarded: recorded once, as an outcome the learning loop counts.
 */
export async function recordDraftDiscarded(ctx: Ctx, ticketId: string): Promise<boolean> {
  const [draft] = await ctx.db
    .select({ createdAt: messages.createdAt, text: messages.bodyText })
    .from(messages)
    .where(and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, ticketId), eq(messages.authorType, 'assistant'), eq(messages.visibility, 'internal')))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  if (!draft || !draft.text.startsWith(DRAFT_PREFIX)) return false;
  const settled = await ctx.db
    .select({ id: events.id })
    .from(events)
    .where(
      and(
        eq(events.ticketId, ticketId),
        eq(events.type, 'outcome.recorded'),
        gte(events.createdAt, draft.createdAt),
        inArray(sql`${events.data} ->> 'outcome'`, ['draft_approved', 'draft_edited', 'draft_discarded']),
      ),
    )
    .limit(1);
  if (settled.length) return false;
  await appendEvent(ctx, 'outcome.recorded', ticketId, { outcome: 'draft_discarded' });
  return true;
}

/** The workspace's autonomy settings. */
export async function getAutonomy(ctx: Ctx): Promise<AutonomySettings> {
  return autonomyOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Changes autonomy settings; the change is logged as an event with the old and new values. */
export async function updateAutonomy(ctx: Ctx, patch: z.infer<typeof AutonomySettingsPatchSchema>): Promise<AutonomySettings> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = autonomyOf(ws.settings);
  const after = { ...before, ...patch, intentThresholds: { ...before.intentThresholds, ...(patch.intentThresholds ?? {}) } };
  await ctx.db.update(workspaces).set({ settings: { ...ws.settings, autonomy: after } }).where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, { section: 'autonomy', before, after });
  return after;
}
