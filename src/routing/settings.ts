import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { DeskmindError } from '../domain/errors.js';
import { patchOf } from '../domain/schemas.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';
import { teams, workspaces } from '../store/schema.js';

/** A workspace's routing settings, stored in `workspaces.settings.routing`: the schema, and reading and changing them.
 */
export const RoutingSettingsSchema = z
  .object({
    /** Pick an agent in the chosen team; when off, tickets only get a team. */
    autoAssign: z.boolean().default(true),
    /** The default (triage) team, created with the workspace: tickets no rule and no intent team places, and uncertain
     * tickets whose alternatives disagree. */
    defaultTeamId: z.uuid().nullable().default(null),
    /** Team per intent team hint ("billing", "technical", "success", "security") or per intent id. */
    intentTeams: z.record(z.string().min(1).max(100), z.uuid()).default({}),
    /** Skills an agent should have per intent id, overriding the playbook's skills and the taxonomy's team hint
     * (routing prefers agents who have them). */
    intentSkills: z.record(z.string().min(1).max(100), z.array(z.string().trim().min(1).max(64)).max(50)).default({}),
    /** Skip agents outside their working hours. */
    respectWorkingHours: z.boolean().default(true),
  })
  .strict();
export type RoutingSettings = z.infer<typeof RoutingSettingsSchema>;
export const RoutingSettingsPatchSchema = patchOf(RoutingSettingsSchema);
export type RoutingSettingsPatch = z.infer<typeof RoutingSettingsPatchSchema>;

/** The routing settings stored on a workspace, with defaults for anything missing or invalid. */
export function routingOf(settings: Record<string, unknown> | null | undefined): RoutingSettings {
  const parsed = RoutingSettingsSchema.safeParse((settings?.routing as object | undefined) ?? {});
  return parsed.success ? parsed.data : RoutingSettingsSchema.parse({});
}

/** The workspace's routing settings. */
export async function getRoutingSettings(ctx: Ctx): Promise<RoutingSettings> {
  return routingOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/**
 * Changes routing settings (teams must belong to the workspace), in one transaction; logged as `settings.changed`
 * with old and new values.
 */
export function updateRoutingSettings(ctx: Ctx, patch: RoutingSettingsPatch): Promise<RoutingSettings> {
  return inTransaction(ctx, (ctx) => writeRoutingSettings(ctx, patch));
}

async function writeRoutingSettings(ctx: Ctx, patch: RoutingSettingsPatch): Promise<RoutingSettings> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = routingOf(ws.settings);
  const after: RoutingSettings = {
    ...before,
    ...patch,
    intentTeams: { ...before.intentTeams, ...(patch.intentTeams ?? {}) },
    intentSkills: { ...before.intentSkills, ...(patch.intentSkills ?? {}) },
  };
  const teamIds = [
    ...new Set([after.defaultTeamId, ...Object.values(after.intentTeams)].filter((x): x is string => !!x)),
  ];
  if (teamIds.length) {
    const found = await ctx.db
      .select({ id: teams.id })
      .from(teams)
      .where(and(eq(teams.workspaceId, ctx.workspaceId), inArray(teams.id, teamIds)));
    if (found.length !== teamIds.length)
      throw new DeskmindError('validation_failed', 'Unknown team', {
        issues: [{ path: 'teamId', message: 'unknown team' }],
      });
  }
  await ctx.db
    .update(workspaces)
    .set({ settings: { ...ws.settings, routing: after } })
    .where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, { section: 'routing', before, after });
  return after;
}
