import { and, eq, isNull } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import { apiKeys } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';

export async function revokeApiKey(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db
    .update(apiKeys)
    .set({ revokedAt: ctx.now() })
    .where(and(eq(apiKeys.workspaceId, ctx.workspaceId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (rows.length === 0) throw notFound('API key', id);
}
