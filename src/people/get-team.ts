import { and, eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Team } from '../domain/schemas.js';
import { teams } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { membersOf, toTeam } from './team-rows.js';

export async function getTeam(ctx: Ctx, id: string): Promise<Team> {
  const [row] = await ctx.db
    .select()
    .from(teams)
    .where(and(eq(teams.workspaceId, ctx.workspaceId), eq(teams.id, id)));
  if (!row) throw notFound('Team', id);
  return toTeam(row, (await membersOf(ctx.db, [id])).get(id) ?? []);
}
