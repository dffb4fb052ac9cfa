import { and, eq } from 'drizzle-orm';
import { DeskmindError, notFound } from '../domain/errors.js';
import { teams } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { routingOf } from '../routing/settings.js';
import { getWorkspace } from './get-workspace.js';

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
