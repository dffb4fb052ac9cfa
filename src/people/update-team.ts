import { and, eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Team, TeamInput } from '../domain/schemas.js';
import { teams } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { getTeam } from './get-team.js';

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
