import { and, eq } from 'drizzle-orm';
import type { Account } from '../domain/schemas.js';
import { accounts } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { toAccount } from './account-rows.js';

export async function findAccountByExternalId(ctx: Ctx, externalId: string): Promise<Account | null> {
  const [row] = await ctx.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.externalId, externalId)));
  return row ? toAccount(row) : null;
}
