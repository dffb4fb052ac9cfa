import { eq } from 'drizzle-orm';
import { type AutonomySettingsPatchSchema, autonomyOf, type AutonomySettings } from '../domain/settings.js';
import type { z } from 'zod';
import { workspaces } from '../store/schema.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';

/** The workspace's autonomy settings. */
export async function getAutonomy(ctx: Ctx): Promise<AutonomySettings> {
  return autonomyOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Changes autonomy settings; the change is logged as an event with the old and new values. */
export async function updateAutonomy(
  ctx: Ctx,
  patch: z.infer<typeof AutonomySettingsPatchSchema>,
): Promise<AutonomySettings> {
  return inTransaction(ctx, async (ctx) => {
    const ws = await getWorkspace(ctx.db, ctx.workspaceId);
    const before = autonomyOf(ws.settings);
    const after = {
      ...before,
      ...patch,
      intentThresholds: { ...before.intentThresholds, ...(patch.intentThresholds ?? {}) },
    };
    await ctx.db
      .update(workspaces)
      .set({ settings: { ...ws.settings, autonomy: after } })
      .where(eq(workspaces.id, ctx.workspaceId));
    await appendEvent(ctx, 'settings.changed', null, { section: 'autonomy', before, after });
    return after;
  });
}
