import { and, asc, eq, gt } from 'drizzle-orm';
import type { Customer } from '../domain/schemas.js';
import { customers } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { toCustomer } from './customer-rows.js';

export async function listCustomers(
  ctx: Ctx,
  opts: { limit: number; after?: string | undefined },
): Promise<Customer[]> {
  const rows = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), opts.after ? gt(customers.id, opts.after) : undefined))
    .orderBy(asc(customers.id))
    .limit(opts.limit);
  return rows.map(toCustomer);
}
