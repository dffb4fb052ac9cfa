import { z } from 'zod';
import { patchOf } from '../domain/schemas.js';

/** A workspace's routing settings, stored in `workspaces.settings.routing`. */
export const RoutingSettingsSchema = z
  .object({
    /** Pick an agent in the chosen team; when off, tickets only get a team. */
    autoAssign: z.boolean().default(true),
    /** The default (triage) team, created with the workspace: tickets no rule and no intent team places, and uncertain tickets whose alternatives disagree. */
    defaultTeamId: z.uuid().nullable().default(null),
    /** Team per intent team hint ("billing", "technical", "success", "security") or per intent id. */
    intentTeams: z.record(z.string().min(1).max(100), z.uuid()).default({}),
    /** Skills an agent should have per intent id, overriding the playbook's skills and the taxonomy's team hint (routing prefers agents who have them). */
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
