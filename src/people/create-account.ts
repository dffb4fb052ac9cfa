import type { Account, AccountInput } from '../domain/schemas.js';
import { accounts } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { toAccount } from './account-rows.js';

/** Creates an account (company). */
export async function createAccount(ctx: Ctx, input: AccountInput): Promise<Account> {
  const [row] = await mapUnique('An account with this externalId', () =>
    ctx.db
      .insert(accounts)
      .values({ ...input, workspaceId: ctx.workspaceId })
      .returning(),
  );
  return toAccount(row!);
}
