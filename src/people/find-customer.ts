import { and, eq, or } from 'drizzle-orm';
import type { Customer } from '../domain/schemas.js';
import { customers } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { toCustomer } from './customer-rows.js';

export async function findCustomer(
  ctx: Ctx,
  by: { email?: string | null | undefined; externalId?: string | null | undefined },
): Promise<Customer | null> {
  const conds = [
    by.externalId ? eq(customers.externalId, by.externalId) : undefined,
    by.email ? eq(customers.email, by.email) : undefined,
  ].filter((c) => c !== undefined);
  if (conds.length === 0) return null;
  const rows = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), or(...conds)));
  // Prefer the external id match when both exist.
  const row = rows.find((r) => by.externalId && r.externalId === by.externalId) ?? rows[0];
  return row ? toCustomer(row) : null;
}
