import { notFound } from '../domain/errors.js';
import type { Customer, CustomerPatch } from '../domain/schemas.js';
import { customers } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { customerScope, customerValues, resolveAccountId, toCustomer } from './customer-rows.js';

export async function updateCustomer(ctx: Ctx, id: string, patch: CustomerPatch): Promise<Customer> {
  const accountId = await resolveAccountId(ctx, patch);
  const [row] = await mapUnique('A customer with this email or externalId', () =>
    ctx.db
      .update(customers)
      .set({ ...customerValues(patch, accountId), updatedAt: ctx.now() })
      .where(customerScope(ctx, id))
      .returning(),
  );
  if (!row) throw notFound('Customer', id);
  return toCustomer(row);
}
