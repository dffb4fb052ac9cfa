import { asc, eq } from 'drizzle-orm';
import type { Agent } from '../domain/schemas.js';
import { agents } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { teamIdsOf, toAgent } from './agent-rows.js';

export async function listAgents(ctx: Ctx): Promise<Agent[]> {
  const rows = await ctx.db
    .select()
    .from(agents)
    .where(eq(agents.workspaceId, ctx.workspaceId))
    .orderBy(asc(agents.name));
  const teamMap = await teamIdsOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toAgent(r, teamMap.get(r.id) ?? []));
}
