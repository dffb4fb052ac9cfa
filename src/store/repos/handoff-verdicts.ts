import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { HandoffVerdict } from '../../handoff/verdict.js';
import type { PacketField } from '../../handoff/fields.js';
import type { Ctx } from '../ctx.js';
import { handoffVerdicts, tickets } from '../schema.js';

type Row = typeof handoffVerdicts.$inferSelect;
const toVerdict = (r: Row): HandoffVerdict => ({
  ticketId: r.ticketId,
  verdict: r.verdict,
  missing: r.missing as PacketField[],
  note: r.note,
  by: { type: r.actorType, id: r.actorId },
  at: r.updatedAt,
});

/** Stores a person's verdict on a ticket's packet, replacing their earlier one; says whether it replaced one. */
export async function upsertHandoffVerdict(
  ctx: Ctx,
  v: {
    ticketId: string;
    actorId: string;
    verdict: HandoffVerdict['verdict'];
    missing: PacketField[];
    note: string | null;
  },
): Promise<{ verdict: HandoffVerdict; replaced: boolean }> {
  const now = ctx.now();
  const key = and(
    eq(handoffVerdicts.ticketId, v.ticketId),
    eq(handoffVerdicts.actorType, ctx.actor.type),
    eq(handoffVerdicts.actorId, v.actorId),
  );
  const [earlier] = await ctx.db.select({ at: handoffVerdicts.createdAt }).from(handoffVerdicts).where(key);
  const [row] = await ctx.db
    .insert(handoffVerdicts)
    .values({ workspaceId: ctx.workspaceId, actorType: ctx.actor.type, ...v, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [handoffVerdicts.ticketId, handoffVerdicts.actorType, handoffVerdicts.actorId],
      set: { verdict: v.verdict, missing: v.missing, note: v.note, updatedAt: now },
    })
    .returning();
  return { verdict: toVerdict(row!), replaced: !!earlier };
}

/** The verdicts on one ticket's packet, oldest first. */
export async function ticketHandoffVerdicts(ctx: Ctx, ticketId: string): Promise<HandoffVerdict[]> {
  const rows = await ctx.db
    .select()
    .from(handoffVerdicts)
    .where(and(eq(handoffVerdicts.workspaceId, ctx.workspaceId), eq(handoffVerdicts.ticketId, ticketId)))
    .orderBy(asc(handoffVerdicts.updatedAt));
  return rows.map(toVerdict);
}

/** The verdicts on the packets of the workspace's tickets created in [from, to). */
export async function handoffVerdictsOfRange(ctx: Ctx, range: { from: Date; to: Date }): Promise<HandoffVerdict[]> {
  const rows = await ctx.db
    .select({ v: handoffVerdicts })
    .from(handoffVerdicts)
    .innerJoin(tickets, eq(tickets.id, handoffVerdicts.ticketId))
    .where(
      and(
        eq(handoffVerdicts.workspaceId, ctx.workspaceId),
        eq(tickets.workspaceId, ctx.workspaceId),
        gte(tickets.createdAt, range.from),
        lt(tickets.createdAt, range.to),
      ),
    )
    .orderBy(asc(handoffVerdicts.ticketId), asc(handoffVerdicts.updatedAt));
  return rows.map((r) => toVerdict(r.v));
}
