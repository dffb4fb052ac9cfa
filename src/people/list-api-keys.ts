import { eq } from 'drizzle-orm';
import type { ApiKey } from '../domain/schemas.js';
import { apiKeys } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { toApiKey } from './api-key-rows.js';

export async function listApiKeys(ctx: Ctx): Promise<ApiKey[]> {
  const rows = await ctx.db.select().from(apiKeys).where(eq(apiKeys.workspaceId, ctx.workspaceId));
  return rows.map(toApiKey);
}
