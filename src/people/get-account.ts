import { and, eq, inArray } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Account } from '../domain/schemas.js';
import { accounts } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { accountScope, toAccount } from './account-rows.js';

/** Accounts by id (one statement); unknown ids are absent from the map. */
export async function getAccounts(ctx: Ctx, ids: string[]): Promise<Map<string, Account>> {
  if (!ids.length) return new Map();
  const rows = await ctx.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), inArray(accounts.id, [...new Set(ids)])));
  return new Map(rows.map((r) => [r.id, toAccount(r)]));
}

export async function getAccount(ctx: Ctx, id: string): Promise<Account> {
  const [row] = await ctx.db.select().from(accounts).where(accountScope(ctx, id));
  if (!row) throw notFound('Account', id);
  return toAccount(row);
}
