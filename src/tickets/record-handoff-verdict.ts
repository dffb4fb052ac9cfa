import { and, eq } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import { appendEvent } from '../events/timeline.js';
import type { HandoffVerdict, HandoffVerdictInput } from '../handoff/verdict.js';
import { upsertHandoffVerdict } from '../store/repos/handoffs.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { events } from '../store/schema.js';
import { getTicket } from './get-ticket.js';

/**
 * A person's verdict on a ticket's handoff packet: it had what they needed, or it was missing fields. Only a
 * ticket that was handed off has a packet to judge (`not_handed_off` otherwise). One verdict per person and
 * ticket: a second replaces the first. Each is recorded on the timeline as `outcome.recorded {outcome:
 * 'handoff_verdict'}` (with whether it replaced an earlier one).
 *
 * @example await recordHandoffVerdict(ctx, id, { verdict: 'missing', missing: ['billing'], note: 'no invoice' })
 */
export async function recordHandoffVerdict(
  ctx: Ctx,
  ticketId: string,
  input: HandoffVerdictInput,
): Promise<HandoffVerdict & { replaced: boolean }> {
  return inTransaction(ctx, async (ctx) => {
    if (!ctx.actor.id || (ctx.actor.type !== 'agent' && ctx.actor.type !== 'integration'))
      throw new DeskmindError('forbidden', 'Only an agent or a staff API key gives a verdict on the handoff packet');
    await getTicket(ctx, ticketId);
    const [handoff] = await ctx.db
      .select({ id: events.id })
      .from(events)
      .where(
        and(
          eq(events.workspaceId, ctx.workspaceId),
          eq(events.ticketId, ticketId),
          eq(events.type, 'ticket.handed_off'),
        ),
      )
      .limit(1);
    if (!handoff) throw new DeskmindError('not_handed_off', `Ticket ${ticketId} was never handed off to a person`);
    const missing = [...new Set(input.missing ?? [])];
    const note = input.note || null;
    const { verdict, replaced } = await upsertHandoffVerdict(ctx, {
      ticketId,
      actorId: ctx.actor.id!,
      verdict: input.verdict,
      missing,
      note,
    });
    await appendEvent(ctx, 'outcome.recorded', ticketId, {
      outcome: 'handoff_verdict',
      verdict: input.verdict,
      missing,
      ...(note ? { note } : {}),
      replaced,
    });
    return { ...verdict, replaced };
  });
}
