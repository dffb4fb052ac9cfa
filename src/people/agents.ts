import { and, asc, eq, inArray } from 'drizzle-orm';
import { DeskmindError, notFound } from '../domain/errors.js';
import type { Agent, AgentInput, AgentPatch, Team, TeamInput } from '../domain/schemas.js';
import type { DbOrTx } from '../store/db.js';
import { agents, teamMembers, teams } from '../store/schema.js';
import { hashPassword } from './passwords.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { getWorkspace } from './workspaces.js';
import { routingOf } from '../routing/settings.js';

type AgentRow = typeof agents.$inferSelect;

async function teamIdsOf(db: DbOrTx, agentIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (agentIds.length === 0) return map;
  const rows = await db.select().from(teamMembers).where(inArray(teamMembers.agentId, agentIds));
  for (const r of rows) map.set(r.agentId, [...(map.get(r.agentId) ?? []), r.teamId]);
  return map;
}

function toAgent(row: AgentRow, teamIds: string[]): Agent {
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

async function setTeams(ctx: Ctx, agentId: string, teamIds: string[]): Promise<void> {
  await checkTeams(ctx, teamIds);
  await ctx.db.delete(teamMembers).where(eq(teamMembers.agentId, agentId));
  if (teamIds.length)
    await ctx.db.insert(teamMembers).values([...new Set(teamIds)].map((teamId) => ({ teamId, agentId })));
}

/** Creates an agent (a human), with a password for the console when given. */
export async function createAgent(ctx: Ctx, input: AgentInput): Promise<Agent> {
  return inTransaction(ctx, async (ctx) => {
    const { password, teamIds, ...rest } = input;
    const [row] = await mapUnique('An agent with this email', async () =>
      ctx.db
        .insert(agents)
        .values({ ...rest, workspaceId: ctx.workspaceId, passwordHash: password ? await hashPassword(password) : null })
        .returning(),
    );
    if (teamIds) await setTeams(ctx, row!.id, teamIds);
    return toAgent(row!, teamIds ?? []);
  });
}

export async function getAgent(ctx: Ctx, id: string): Promise<Agent> {
  const [row] = await ctx.db
    .select()
    .from(agents)
    .where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, id)));
  if (!row) throw notFound('Agent', id);
  return toAgent(row, (await teamIdsOf(ctx.db, [id])).get(id) ?? []);
}

export async function updateAgent(ctx: Ctx, id: string, patch: AgentPatch): Promise<Agent> {
  const { password, teamIds, ...rest } = patch;
  const values = { ...rest, updatedAt: ctx.now(), ...(password ? { passwordHash: await hashPassword(password) } : {}) };
  const [row] = await mapUnique('An agent with this email', () =>
    ctx.db
      .update(agents)
      .set(values)
      .where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, id)))
      .returning(),
  );
  if (!row) throw notFound('Agent', id);
  if (teamIds) await setTeams(ctx, id, teamIds);
  return getAgent(ctx, id);
}

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

export async function deleteAgent(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db
    .delete(agents)
    .where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, id)))
    .returning({ id: agents.id });
  if (rows.length === 0) throw notFound('Agent', id);
}

// ── teams ───────────────────────────────────────────────────────────────────
async function membersOf(db: DbOrTx, teamIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (teamIds.length === 0) return map;
  const rows = await db.select().from(teamMembers).where(inArray(teamMembers.teamId, teamIds));
  for (const r of rows) map.set(r.teamId, [...(map.get(r.teamId) ?? []), r.agentId]);
  return map;
}

const toTeam = (row: typeof teams.$inferSelect, memberIds: string[]): Team => ({
  id: row.id,
  name: row.name,
  description: row.description,
  skills: row.skills,
  memberIds,
  createdAt: row.createdAt,
});

export async function createTeam(ctx: Ctx, input: TeamInput): Promise<Team> {
  const [row] = await mapUnique('A team with this name', () =>
    ctx.db
      .insert(teams)
      .values({ ...input, workspaceId: ctx.workspaceId })
      .returning(),
  );
  return toTeam(row!, []);
}

export async function getTeam(ctx: Ctx, id: string): Promise<Team> {
  const [row] = await ctx.db
    .select()
    .from(teams)
    .where(and(eq(teams.workspaceId, ctx.workspaceId), eq(teams.id, id)));
  if (!row) throw notFound('Team', id);
  return toTeam(row, (await membersOf(ctx.db, [id])).get(id) ?? []);
}

export async function updateTeam(ctx: Ctx, id: string, patch: Partial<TeamInput>): Promise<Team> {
  const [row] = await mapUnique('A team with this name', () =>
    ctx.db
      .update(teams)
      .set(patch)
      .where(and(eq(teams.workspaceId, ctx.workspaceId), eq(teams.id, id)))
      .returning(),
  );
  if (!row) throw notFound('Team', id);
  return getTeam(ctx, id);
}

export async function listTeams(ctx: Ctx): Promise<Team[]> {
  const rows = await ctx.db.select().from(teams).where(eq(teams.workspaceId, ctx.workspaceId)).orderBy(asc(teams.name));
  const members = await membersOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toTeam(r, members.get(r.id) ?? []));
}

export async function deleteTeam(ctx: Ctx, id: string): Promise<void> {
  if (routingOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings).defaultTeamId === id) {
    throw new DeskmindError(
      'conflict',
      'This is the default team, where routing sends tickets no other team fits; choose another default team ' +
        '(PATCH /api/v1/routing/settings) before deleting it',
    );
  }
  const rows = await ctx.db
    .delete(teams)
    .where(and(eq(teams.workspaceId, ctx.workspaceId), eq(teams.id, id)))
    .returning({ id: teams.id });
  if (rows.length === 0) throw notFound('Team', id);
}
