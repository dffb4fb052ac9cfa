import { and, eq } from 'drizzle-orm';
import type { Account } from '../domain/schemas.js';
import { accounts } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';

export const accountScope = (ctx: Ctx, id: string) =>
  and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.id, id));

export function toAccount(row: typeof accounts.$inferSelect): Account {
  const { workspaceId: _w, ...rest } = row;
  return rest;
}
