import { notFound } from '../domain/errors.js';
import { accounts } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { accountScope } from './account-rows.js';

export async function deleteAccount(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db.delete(accounts).where(accountScope(ctx, id)).returning({ id: accounts.id });
  if (rows.length === 0) throw notFound('Account', id);
}
