import { and, eq, getTableColumns } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import type { Customer, CustomerPatch } from '../domain/schemas.js';
import { customers } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { findAccountByExternalId } from './find-account.js';
import { getAccount } from './get-account.js';

export const customerScope = (ctx: Ctx, id: string) =>
  and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.id, id));

/** Every column of a customer, as an insert returns them. */
export const customerColumns = getTableColumns(customers);

export function toCustomer(row: typeof customers.$inferSelect): Customer {
  const { workspaceId: _w, ...rest } = row;
  return rest;
}

/** Resolves `accountId` / `accountExternalId` to an account id of this workspace. */
export async function resolveAccountId(
  ctx: Ctx,
  input: Pick<CustomerPatch, 'accountId' | 'accountExternalId'>,
): Promise<string | null | undefined> {
  if (input.accountId) return (await getAccount(ctx, input.accountId)).id;
  if (input.accountExternalId) {
    const account = await findAccountByExternalId(ctx, input.accountExternalId);
    if (!account)
      throw new DeskmindError('validation_failed', `No account has externalId ${input.accountExternalId}`, {
        issues: [{ path: 'accountExternalId', message: 'unknown account' }],
      });
    return account.id;
  }
  return input.accountId === null ? null : undefined;
}

export function customerValues(input: CustomerPatch, accountId: string | null | undefined) {
  const { accountExternalId: _a, accountId: _b, ...rest } = input;
  return accountId === undefined ? rest : { ...rest, accountId };
}
