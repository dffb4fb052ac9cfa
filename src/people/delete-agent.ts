import { and, eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import { agents } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';

export async function deleteAgent(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db
    .delete(agents)
    .where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, id)))
    .returning({ id: agents.id });
  if (rows.length === 0) throw notFound('Agent', id);
}
