import { and, eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Agent } from '../domain/schemas.js';
import { agents } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { teamIdsOf, toAgent } from './agent-rows.js';

export async function getAgent(ctx: Ctx, id: string): Promise<Agent> {
  const [row] = await ctx.db
    .select()
    .from(agents)
    .where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, id)));
  if (!row) throw notFound('Agent', id);
  return toAgent(row, (await teamIdsOf(ctx.db, [id])).get(id) ?? []);
}
