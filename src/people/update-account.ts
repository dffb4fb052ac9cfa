import { notFound } from '../domain/errors.js';
import type { Account, AccountPatch } from '../domain/schemas.js';
import { accounts } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { accountScope, toAccount } from './account-rows.js';

export async function updateAccount(ctx: Ctx, id: string, patch: AccountPatch): Promise<Account> {
  const [row] = await mapUnique('An account with this externalId', () =>
    ctx.db
      .update(accounts)
      .set({ ...patch, updatedAt: ctx.now() })
      .where(accountScope(ctx, id))
      .returning(),
  );
  if (!row) throw notFound('Account', id);
  return toAccount(row);
}
