import type { Team, TeamInput } from '../domain/schemas.js';
import { teams } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { toTeam } from './team-rows.js';

export async function createTeam(ctx: Ctx, input: TeamInput): Promise<Team> {
  const [row] = await mapUnique('A team with this name', () =>
    ctx.db
      .insert(teams)
      .values({ ...input, workspaceId: ctx.workspaceId })
      .returning(),
  );
  return toTeam(row!, []);
}
