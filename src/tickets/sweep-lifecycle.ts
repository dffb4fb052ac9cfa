import { and, eq, lte, or } from 'drizzle-orm';
import type { LifecycleAction } from '../domain/ticket-lifecycle.js';
import { tickets } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { lockTicket, transition } from './ticket-rows.js';

/**
 * The lifecycle sweep: closes resolved tickets quiet for `closeAfterHours` and wakes snoozed tickets whose
 * time has come. Returns how many tickets changed.
 */
export async function sweepLifecycle(
  ctx: Ctx,
  opts: { closeAfterHours: number },
): Promise<{ closed: number; woken: number }> {
  const now = ctx.now();
  const quietSince = new Date(now.getTime() - opts.closeAfterHours * 3_600_000);
  const due = await ctx.db
    .select({ id: tickets.id, status: tickets.status })
    .from(tickets)
    .where(
      and(
        eq(tickets.workspaceId, ctx.workspaceId),
        or(
          and(eq(tickets.status, 'resolved'), lte(tickets.resolvedAt, quietSince)),
          and(eq(tickets.status, 'snoozed'), lte(tickets.snoozedUntil, now)),
        ),
      ),
    )
    .limit(1000);
  let closed = 0;
  let woken = 0;
  for (const t of due) {
    const row = await lockTicket(ctx, t.id);
    const action: LifecycleAction =
      row.status === 'resolved' ? { type: 'quiet_period_elapsed' } : { type: 'snooze_expired' };
    const after = await transition(ctx, row, action);
    if (after.status === 'closed') closed++;
    if (row.status === 'snoozed' && after.status === 'open') woken++;
  }
  return { closed, woken };
}
