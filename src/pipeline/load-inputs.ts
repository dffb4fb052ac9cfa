import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { autonomyOf } from '../domain/settings.js';
import { getAccounts } from '../people/get-account.js';
import type { Ctx } from '../store/ctx.js';
import { getTicketsWithMessages } from '../tickets/get-ticket.js';
import { getWorkspace } from '../people/get-workspace.js';
import { tickets } from '../store/schema.js';
import type { PipelineInput, PipelineJobRef } from './types.js';

/**
 * Loads what the stages read for several tickets of a workspace in a fixed number of statements: the tickets,
 * their messages, customers, accounts, and each customer's latest tickets (the history, at most 20 besides
 * the ticket itself). Tickets that do not exist are absent.
 */
export async function loadInputs(ctx: Ctx, jobs: PipelineJobRef[]): Promise<Map<string, PipelineInput>> {
  const found = await getTicketsWithMessages(
    ctx,
    jobs.map((j) => j.ticketId),
  );
  const customerIds = [...new Set([...found.values()].flatMap((f) => (f.customer ? [f.customer.id] : [])))];
  const ranked = ctx.db
    .select({
      id: tickets.id,
      customerId: tickets.customerId,
      subject: tickets.subject,
      status: tickets.status,
      intent: tickets.intent,
      createdAt: tickets.createdAt,
      reopenCount: tickets.reopenCount,
      tags: tickets.tags,
      rank: sql<number>`row_number() over (partition by ${tickets.customerId} order by ${tickets.createdAt} desc)`.as(
        'rank',
      ),
    })
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), inArray(tickets.customerId, customerIds)))
    .as('ranked');
  const [accountsById, historyRows, workspace] = await Promise.all([
    getAccounts(
      ctx,
      [...found.values()].flatMap((f) => (f.customer?.accountId ? [f.customer.accountId] : [])),
    ),
    customerIds.length ? ctx.db.select().from(ranked).where(lte(ranked.rank, 21)) : Promise.resolve([]),
    getWorkspace(ctx.db, ctx.workspaceId),
  ]);
  historyRows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const settings = autonomyOf(workspace.settings);
  const now = ctx.now();
  const inputs = new Map<string, PipelineInput>();
  for (const job of jobs) {
    const f = found.get(job.ticketId);
    if (!f) continue;
    const history = f.customer
      ? historyRows
          .filter((h) => h.customerId === f.customer!.id && h.id !== job.ticketId)
          .slice(0, 20)
          .map(({ customerId: _c, rank: _r, ...h }) => h)
      : [];
    const account = f.customer?.accountId ? (accountsById.get(f.customer.accountId) ?? null) : null;
    inputs.set(job.ticketId, {
      workspaceId: ctx.workspaceId,
      trigger: job.trigger,
      ticket: f.ticket,
      messages: f.messages,
      customer: f.customer,
      account,
      history,
      settings,
      now,
    });
  }
  return inputs;
}
