/** The queries of handed-off tickets: the verdicts on their packets, and the replies people wrote after. */
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { HandoffVerdict } from '../../handoff/verdict.js';
import type { PacketField } from '../../handoff/fields.js';
import type { Ctx } from '../ctx.js';
import { events, handoffVerdicts, messages, tickets } from '../schema.js';

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

/** Most characters of a reply the metrics read (a question to the customer sits well within them). */
export const REPLY_CHARS = 4000;

/**
 * The public replies people (not the assistant) wrote on the workspace's handed-off tickets created in
 * [from, to), oldest first, each cut to `REPLY_CHARS`.
 */
export async function humanRepliesOfHandedOff(
  ctx: Ctx,
  range: { from: Date; to: Date },
): Promise<{ ticketId: string; text: string; at: Date }[]> {
  return ctx.db
    .select({
      ticketId: messages.ticketId,
      text: sql<string>`left(${messages.bodyText}, ${sql.raw(String(REPLY_CHARS))})`,
      at: messages.createdAt,
    })
    .from(messages)
    .innerJoin(tickets, eq(tickets.id, messages.ticketId))
    .where(
      and(
        eq(messages.workspaceId, ctx.workspaceId),
        eq(tickets.workspaceId, ctx.workspaceId),
        gte(tickets.createdAt, range.from),
        lt(tickets.createdAt, range.to),
        eq(messages.authorType, 'agent'),
        eq(messages.visibility, 'public'),
        sql`exists (select 1 from ${events} e where e.ticket_id = ${messages.ticketId}
          and e.workspace_id = ${ctx.workspaceId} and e.type = 'ticket.handed_off')`,
      ),
    )
    .orderBy(asc(messages.createdAt), asc(messages.id));
}
