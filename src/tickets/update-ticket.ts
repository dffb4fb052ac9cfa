import { and, eq } from 'drizzle-orm';
import { DeskmindError, notFound } from '../domain/errors.js';
import type { Ticket, TicketPatch } from '../domain/schemas.js';
import { agents, teams, tickets, type TicketRow } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { toTicket, lockTicket, transition } from './ticket-rows.js';

/**
 * Changes a ticket's fields; a status change goes through the lifecycle state machine. `locked`: the ticket's
 * row as the caller locked it in this transaction (it is then not read again).
 */
export async function updateTicket(
  ctx: Ctx,
  id: string,
  patch: TicketPatch,
  opts: { locked?: TicketRow } = {},
): Promise<Ticket> {
  let row = opts.locked ?? (await lockTicket(ctx, id));
  if (row.status === 'closed') throw new DeskmindError('ticket_closed', 'A closed ticket cannot be changed');
  const set: Partial<typeof tickets.$inferInsert> = {};
  if (patch.assigneeId !== undefined && patch.assigneeId !== row.assigneeId) {
    if (patch.assigneeId) {
      const [agent] = await ctx.db
        .select({ id: agents.id })
        .from(agents)
        .where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, patch.assigneeId)));
      if (!agent) throw notFound('Agent', patch.assigneeId);
    }
    set.assigneeId = patch.assigneeId;
    await appendEvent(ctx, 'assignee.changed', id, { from: row.assigneeId, to: patch.assigneeId });
  }
  if (patch.teamId !== undefined && patch.teamId !== row.teamId) {
    if (patch.teamId) {
      const [team] = await ctx.db
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.workspaceId, ctx.workspaceId), eq(teams.id, patch.teamId)));
      if (!team) throw notFound('Team', patch.teamId);
    }
    set.teamId = patch.teamId;
    await appendEvent(ctx, 'team.changed', id, { from: row.teamId, to: patch.teamId });
  }
  if (patch.priority && patch.priority !== row.priority) {
    set.priority = patch.priority;
    await appendEvent(ctx, 'ticket.priority_changed', id, { from: row.priority, to: patch.priority });
  }
  if (patch.intent !== undefined && patch.intent !== row.intent) {
    set.intent = patch.intent;
    set.intentConfidence = null;
    await appendEvent(ctx, 'ticket.intent_changed', id, { from: row.intent, to: patch.intent });
  } else if (patch.intent && row.intentConfidence !== null && ctx.actor.type !== 'assistant') {
    // A person confirms the model's intent: it becomes a human label (no model confidence).
    set.intentConfidence = null;
    await appendEvent(ctx, 'ticket.intent_changed', id, { from: row.intent, to: patch.intent, confirmed: true });
  }
  if (patch.tags) {
    const tags = [...new Set(patch.tags)];
    if (tags.join('\u0000') !== row.tags.join('\u0000')) {
      set.tags = tags;
      await appendEvent(ctx, 'ticket.tags_changed', id, { from: row.tags, to: tags });
    }
  }
  if (patch.subject && patch.subject !== row.subject) {
    set.subject = patch.subject;
    await appendEvent(ctx, 'ticket.updated', id, { field: 'subject' });
  }
  if (Object.keys(set).length) {
    set.updatedAt = ctx.now();
    await ctx.db.update(tickets).set(set).where(eq(tickets.id, id));
    row = { ...row, ...set } as TicketRow;
  }
  if (patch.status) {
    const snoozedUntil = patch.snoozedUntil ? new Date(patch.snoozedUntil) : null;
    row = await transition(ctx, row, { type: 'set_status', to: patch.status, snoozedUntil });
  }
  // The row as written (every change above is tracked on it).
  return toTicket(row);
}
