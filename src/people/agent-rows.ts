import { and, eq, inArray } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import type { Agent } from '../domain/schemas.js';
import type { DbOrTx } from '../store/db.js';
import { type agents, teamMembers, teams } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';

type AgentRow = typeof agents.$inferSelect;

export async function teamIdsOf(db: DbOrTx, agentIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (agentIds.length === 0) return map;
  const rows = await db.select().from(teamMembers).where(inArray(teamMembers.agentId, agentIds));
  for (const r of rows) map.set(r.agentId, [...(map.get(r.agentId) ?? []), r.teamId]);
  return map;
}

export function toAgent(row: AgentRow, teamIds: string[]): Agent {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    skills: row.skills,
    languages: row.languages,
    capacity: row.capacity,
    status: row.status,
    workingHours: row.workingHours ?? null,
    teamIds,
    createdAt: row.createdAt,
  };
}

async function checkTeams(ctx: Ctx, teamIds: string[]): Promise<void> {
  if (teamIds.length === 0) return;
  const found = await ctx.db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.workspaceId, ctx.workspaceId), inArray(teams.id, teamIds)));
  if (found.length !== new Set(teamIds).size) {
    throw new DeskmindError('validation_failed', 'Unknown team', {
      issues: [{ path: 'teamIds', message: 'unknown team' }],
    });
  }
}

export async function setTeams(ctx: Ctx, agentId: string, teamIds: string[]): Promise<void> {
  await checkTeams(ctx, teamIds);
  await ctx.db.delete(teamMembers).where(eq(teamMembers.agentId, agentId));
  if (teamIds.length)
    await ctx.db.insert(teamMembers).values([...new Set(teamIds)].map((teamId) => ({ teamId, agentId })));
}
