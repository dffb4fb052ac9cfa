import { asc, eq } from 'drizzle-orm';
import type { Team } from '../domain/schemas.js';
import { teams } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { membersOf, toTeam } from './team-rows.js';

export async function listTeams(ctx: Ctx): Promise<Team[]> {
  const rows = await ctx.db.select().from(teams).where(eq(teams.workspaceId, ctx.workspaceId)).orderBy(asc(teams.name));
  const members = await membersOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toTeam(r, members.get(r.id) ?? []));
}
