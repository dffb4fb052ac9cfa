import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { DeskmindError, notFound } from '../domain/errors.js';
import type { Ticket } from '../domain/schemas.js';
import { renderTemplate, templateProblems } from '../resolution/template.js';
import { articles, decisions, events, messages, tickets, workspaces } from '../store/schema.js';
import { getAccount } from '../people/accounts.js';
import type { Ctx } from '../store/ctx.js';
import { getCustomer } from '../people/customers.js';
import { appendEvent } from '../services/events.js';
import { addMessage, getTicket, updateTicket } from './tickets.js';
import { getWorkspace } from '../people/workspaces.js';

// ── macros ──────────────────────────────────────────────────────────────────
export const MacroInputSchema = z
  .object({ name: z.string().trim().min(1).max(200), body: z.string().trim().min(1).max(20_000) })
  .strict();
export const MacroSchema = MacroInputSchema.extend({ id: z.uuid() });
export type Macro = z.infer<typeof MacroSchema>;

const macrosOf = (settings: Record<string, unknown>): Macro[] => z.array(MacroSchema).catch([]).parse(settings.macros ?? []);

async function saveMacros(ctx: Ctx, list: Macro[]): Promise<void> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  await ctx.db.update(workspaces).set({ settings: { ...ws.settings, macros: list } }).where(eq(workspaces.id, ctx.workspaceId));
}

/** The workspace's macros (canned replies with the same placeholders as playbook templates). */
export async function listMacros(ctx: Ctx): Promise<Macro[]> {
  return macrosOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Adds a macro; unknown placeholders are refused. */
export async function createMacro(ctx: Ctx, input: z.infer<typeof MacroInputSchema>): Promise<Macro> {
  const problems = templateProblems(input.body, 'handoff');
  if (problems.length) throw new DeskmindError('validation_failed', problems.join('; '), { issues: problems.map((message) => ({ path: 'body', message })) });
  const list = await listMacros(ctx);
  if (list.some((m) => m.name.toLowerCase() === input.name.toLowerCase())) throw new DeskmindError('conflict', `A macro named "${input.name}" already exists`);
  const macro = { id: randomUUID(), ...input };
  await saveMacros(ctx, [...list, macro]);
  return macro;
}

export async function deleteMacro(ctx: Ctx, id: string): Promise<void> {
  const list = await listMacros(ctx);
  if (!list.some((m) => m.id === id)) throw notFound('Macro', id);
  await saveMacros(ctx, list.filter((m) => m.id !== id));
}

/** Fills a macro in for a ticket's customer and account, and posts it as the acting agent's public reply. */
export async function applyMacro(ctx: Ctx, ticketId: string, macroId: string, opts: { send: boolean }) {
  const macro = (await listMacros(ctx)).find((m) => m.id === macroId);
  if (!macro) throw notFound('Macro', macroId);
  const ticket = await getTicket(ctx, ticketId);
  const customer = ticket.customerId ? await getCustomer(ctx, ticket.customerId) : null;
  const account = customer?.accountId ? await getAccount(ctx, customer.accountId).catch(() => null) : null;
  const text = renderTemplate(macro.body, { customer, account, ticket: { id: ticket.id, subject: ticket.subject } });
  if (!opts.send) return { text, ticket, message: null };
  const sent = await addMessage(ctx, ticketId, { text, visibility: 'public', attachments: [] }, { type: 'agent', id: ctx.actor.id });
  return { text, ...sent };
}

// ── claim ───────────────────────────────────────────────────────────────────
/** The acting agent takes an unassigned ticket (or one already theirs). */
export async function claimTicket(ctx: Ctx, ticketId: string, agentId: string): Promise<Ticket> {
  const ticket = await getTicket(ctx, ticketId);
  if (ticket.assigneeId && ticket.assigneeId !== agentId) throw new DeskmindError('conflict', 'The ticket is already assigned to someone else; transfer it instead');
  return updateTicket(ctx, ticketId, { assigneeId: agentId, ...(ticket.status === 'new' ? { status: 'open' as const } : {}) });
}

// ── merge ───────────────────────────────────────────────────────────────────
/**
 * Merges a duplicate into another ticket of the same workspace: its messages move to the target (in
 * time order), its tags join the target's, and the duplicate is closed with a pointer to the target.
 */
export async function mergeTickets(ctx: Ctx, sourceId: string, targetId: string): Promise<Ticket> {
  if (sourceId === targetId) throw new DeskmindError('validation_failed', 'A ticket cannot be merged into itself', { issues: [{ path: 'into', message: 'same ticket' }] });
  const [source, target] = [await getTicket(ctx, sourceId), await getTicket(ctx, targetId)];
  if (target.status === 'closed') throw new DeskmindError('ticket_closed', 'The target ticket is closed');
  if (source.status === 'closed') throw new DeskmindError('ticket_closed', 'The duplicate is already closed');
  const moved = await ctx.db
    .update(messages)
    .set({ ticketId: targetId })
    .where(and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, sourceId)))
    .returning({ id: messages.id, text: messages.bodyText });
  await ctx.db
    .update(tickets)
    .set({ search: sql`coalesce(${tickets.search}, ''::tsvector) || coalesce((select search from tickets t where t.id = ${sourceId}), ''::tsvector)` })
    .where(eq(tickets.id, targetId));
  await updateTicket(ctx, targetId, { tags: [...new Set([...target.tags, ...source.tags])] });
  await appendEvent(ctx, 'ticket.merged', targetId, { from: sourceId, messages: moved.length });
  await addMessage(ctx, sourceId, { text: `Merged into ticket ${targetId}.`, visibility: 'internal', attachments: [] }, { type: 'system', id: null });
  await appendEvent(ctx, 'ticket.merged', sourceId, { into: targetId, messages: moved.length });
  if (source.status !== 'resolved') await updateTicket(ctx, sourceId, { status: 'resolved', tags: [...new Set([...source.tags, 'merged'])] });
  await updateTicket(ctx, sourceId, { status: 'closed' });
  return getTicket(ctx, targetId);
}

// ── AI answer feedback ──────────────────────────────────────────────────────
/** How much one "wrong" verdict lowers the usefulness of the articles the answer came from. */
export const WRONG_ANSWER_PENALTY = 0.85;

/**
 * An agent marks the assistant's answer on a ticket good or wrong. The verdict is an outcome event
 * (for learning and metrics); a wrong answer lowers its source articles' usefulness.
 */
export async function markAiAnswer(ctx: Ctx, ticketId: string, verdict: 'good' | 'wrong', note?: string) {
  await getTicket(ctx, ticketId);
  const answered = await ctx.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.ticketId, ticketId), eq(messages.authorType, 'assistant')))
    .limit(1);
  if (answered.length === 0) throw new DeskmindError('not_found', 'The assistant has not answered this ticket');
  const [resolve] = await ctx.db
    .select({ result: decisions.result })
    .from(decisions)
    .where(and(eq(decisions.ticketId, ticketId), eq(decisions.stage, 'resolve'), sql`${decisions.result} ->> 'composed' = 'true'`))
    .orderBy(sql`${decisions.createdAt} desc`)
    .limit(1);
  const sources = ((resolve?.result.sources ?? []) as { articleId: string }[]).map((s) => s.articleId);
  if (verdict === 'wrong' && sources.length) {
    await ctx.db
      .update(articles)
      .set({ usefulness: sql`${articles.usefulness} * ${WRONG_ANSWER_PENALTY}` })
      .where(and(eq(articles.workspaceId, ctx.workspaceId), inArray(articles.id, sources)));
  }
  await appendEvent(ctx, 'outcome.recorded', ticketId, { outcome: verdict === 'good' ? 'ai_answer_good' : 'ai_answer_wrong', articles: sources, ...(note ? { note } : {}) });
  const recorded = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(events).where(and(eq(events.ticketId, ticketId), eq(events.type, 'outcome.recorded')));
  return { verdict, articles: sources, outcomes: recorded[0]?.n ?? 0 };
}
