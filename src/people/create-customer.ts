import type { Customer, CustomerInput } from '../domain/schemas.js';
import { customers } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { customerValues, resolveAccountId, toCustomer } from './customer-rows.js';

export async function createCustomer(ctx: Ctx, input: CustomerInput): Promise<Customer> {
  const accountId = await resolveAccountId(ctx, input);
  const [row] = await mapUnique('A customer with this email or externalId', () =>
    ctx.db
      .insert(customers)
      .values({ ...customerValues(input, accountId), workspaceId: ctx.workspaceId })
      .returning(),
  );
  return toCustomer(row!);
}
