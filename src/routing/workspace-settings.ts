import { and, eq, inArray } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../services/events.js';
import { getWorkspace } from '../people/workspaces.js';
import { teams, workspaces } from '../store/schema.js';
import { routingOf, type RoutingSettings, type RoutingSettingsPatch } from './settings.js';

/** The workspace's routing settings. */
export async function getRoutingSettings(ctx: Ctx): Promise<RoutingSettings> {
  return routingOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Changes routing settings (teams must belong to the workspace); logged as `settings.changed` with old and new values. */
export async function updateRoutingSettings(ctx: Ctx, patch: RoutingSettingsPatch): Promise<RoutingSettings> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = routingOf(ws.settings);
  const after: RoutingSettings = { ...before, ...patch, intentTeams: { ...before.intentTeams, ...(patch.intentTeams ?? {}) }, intentSkills: { ...before.intentSkills, ...(patch.intentSkills ?? {}) } };
  const teamIds = [...new Set([after.defaultTeamId, ...Object.values(after.intentTeams)].filter((x): x is string => !!x))];
  if (teamIds.length) {
    const found = await ctx.db.select({ id: teams.id }).from(teams).where(and(eq(teams.workspaceId, ctx.workspaceId), inArray(teams.id, teamIds)));
    if (found.length !== teamIds.length) throw new DeskmindError('validation_failed', 'Unknown team', { issues: [{ path: 'teamId', message: 'unknown team' }] });
  }
  await ctx.db.update(workspaces).set({ settings: { ...ws.settings, routing: after } }).where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, { section: 'routing', before, after });
  return after;
}
