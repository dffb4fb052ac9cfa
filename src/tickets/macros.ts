import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { DeskmindError, notFound } from '../domain/errors.js';
import { renderTemplate, templateProblems } from '../resolution/template.js';
import { workspaces } from '../store/schema.js';
import { getAccount } from '../people/get-account.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { getCustomer } from '../people/get-customer.js';
import { addMessage } from './add-message.js';
import { getTicket } from './get-ticket.js';
import { getWorkspace } from '../people/get-workspace.js';

export const MacroInputSchema = z
  .object({ name: z.string().trim().min(1).max(200), body: z.string().trim().min(1).max(20_000) })
  .strict();

export const MacroSchema = MacroInputSchema.extend({ id: z.uuid() });

export type Macro = z.infer<typeof MacroSchema>;

const macrosOf = (settings: Record<string, unknown>): Macro[] =>
  z
    .array(MacroSchema)
    .catch([])
    .parse(settings.macros ?? []);

async function saveMacros(ctx: Ctx, list: Macro[]): Promise<void> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  await ctx.db
    .update(workspaces)
    .set({ settings: { ...ws.settings, macros: list } })
    .where(eq(workspaces.id, ctx.workspaceId));
}

/** The workspace's macros (canned replies with the same placeholders as playbook templates). */
export async function listMacros(ctx: Ctx): Promise<Macro[]> {
  return macrosOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Adds a macro; unknown placeholders are refused. */
export async function createMacro(ctx: Ctx, input: z.infer<typeof MacroInputSchema>): Promise<Macro> {
  return inTransaction(ctx, async (ctx) => {
    const problems = templateProblems(input.body, 'handoff');
    if (problems.length)
      throw new DeskmindError('validation_failed', problems.join('; '), {
        issues: problems.map((message) => ({ path: 'body', message })),
      });
    const list = await listMacros(ctx);
    if (list.some((m) => m.name.toLowerCase() === input.name.toLowerCase()))
      throw new DeskmindError('conflict', `A macro named "${input.name}" already exists`);
    const macro = { id: randomUUID(), ...input };
    await saveMacros(ctx, [...list, macro]);
    return macro;
  });
}

export async function deleteMacro(ctx: Ctx, id: string): Promise<void> {
  return inTransaction(ctx, async (ctx) => {
    const list = await listMacros(ctx);
    if (!list.some((m) => m.id === id)) throw notFound('Macro', id);
    await saveMacros(
      ctx,
      list.filter((m) => m.id !== id),
    );
  });
}

/** Fills a macro in for a ticket's customer and account, and posts it as the acting agent's public reply. */
export async function applyMacro(ctx: Ctx, ticketId: string, macroId: string, opts: { send: boolean }) {
  return inTransaction(ctx, async (ctx) => {
    const macro = (await listMacros(ctx)).find((m) => m.id === macroId);
    if (!macro) throw notFound('Macro', macroId);
    const ticket = await getTicket(ctx, ticketId);
    const customer = ticket.customerId ? await getCustomer(ctx, ticket.customerId) : null;
    const account = customer?.accountId ? await getAccount(ctx, customer.accountId).catch(() => null) : null;
    const text = renderTemplate(macro.body, { customer, account, ticket: { id: ticket.id, subject: ticket.subject } });
    if (!opts.send) return { text, ticket, message: null };
    const sent = await addMessage(
      ctx,
      ticketId,
      { text, visibility: 'public', attachments: [] },
      { type: 'agent', id: ctx.actor.id },
    );
    return { text, ...sent };
  });
}
