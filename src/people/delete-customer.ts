import { notFound } from '../domain/errors.js';
import { customers } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { customerScope } from './customer-rows.js';

export async function deleteCustomer(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db.delete(customers).where(customerScope(ctx, id)).returning({ id: customers.id });
  if (rows.length === 0) throw notFound('Customer', id);
}
