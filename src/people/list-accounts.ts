import { and, asc, eq, gt } from 'drizzle-orm';
import type { Account } from '../domain/schemas.js';
import { accounts } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { toAccount } from './account-rows.js';

/** Accounts by id, in pages. */
export async function listAccounts(ctx: Ctx, opts: { limit: number; after?: string | undefined }): Promise<Account[]> {
  const rows = await ctx.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), opts.after ? gt(accounts.id, opts.after) : undefined))
    .orderBy(asc(accounts.id))
    .limit(opts.limit);
  return rows.map(toAccount);
}
