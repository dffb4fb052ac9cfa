import type { Account, AccountInput } from '../domain/schemas.js';
import type { Ctx } from '../store/ctx.js';
import { createAccount } from './create-account.js';
import { findAccountByExternalId } from './find-account.js';
import { updateAccount } from './update-account.js';

/** Creates the account with this external id, or updates it when it exists. */
export async function upsertAccountByExternalId(
  ctx: Ctx,
  externalId: string,
  input: AccountInput,
): Promise<{ account: Account; created: boolean }> {
  const existing = await findAccountByExternalId(ctx, externalId);
  if (existing) return { account: await updateAccount(ctx, existing.id, input), created: false };
  return { account: await createAccount(ctx, { ...input, externalId }), created: true };
}
