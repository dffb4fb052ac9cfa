import { and, eq, inArray } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Customer } from '../domain/schemas.js';
import { customers } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { customerScope, toCustomer } from './customer-rows.js';

/** Customers by id (one statement); unknown ids are absent from the map. */
export async function getCustomers(ctx: Ctx, ids: string[]): Promise<Map<string, Customer>> {
  if (!ids.length) return new Map();
  const rows = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), inArray(customers.id, [...new Set(ids)])));
  return new Map(rows.map((r) => [r.id, toCustomer(r)]));
}

export async function getCustomer(ctx: Ctx, id: string): Promise<Customer> {
  const [row] = await ctx.db.select().from(customers).where(customerScope(ctx, id));
  if (!row) throw notFound('Customer', id);
  return toCustomer(row);
}
