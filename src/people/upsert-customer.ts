import type { Customer, CustomerInput } from '../domain/schemas.js';
import type { Ctx } from '../store/ctx.js';
import { createCustomer } from './create-customer.js';
import { findCustomer } from './find-customer.js';
import { updateCustomer } from './update-customer.js';

/** Creates the customer with this external id (or email), or updates the existing one. */
export async function upsertCustomer(
  ctx: Ctx,
  input: CustomerInput,
): Promise<{ customer: Customer; created: boolean }> {
  const existing = await findCustomer(ctx, input);
  if (existing) return { customer: await updateCustomer(ctx, existing.id, input), created: false };
  return { customer: await createCustomer(ctx, input), created: true };
}
