import { eq } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/workspaces.js';
import { workspaces } from '../store/schema.js';
import { SlaSettingsSchema, slaOf, type SlaSettings, type SlaSettingsPatch } from './settings.js';

/** The workspace's SLA settings (policies, business calendar, at-risk window). */
export async function getSlaSettings(ctx: Ctx): Promise<SlaSettings> {
  return slaOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/**
 * Changes the SLA settings: `policies` replaces the list, `calendar` and `atRisk` change only the fields
 * sent. Logged as `settings.changed` with old and new values. Due times already stored stay as they are
 * until `applySla` runs again for a ticket.
 */
export async function updateSlaSettings(ctx: Ctx, patch: SlaSettingsPatch): Promise<SlaSettings> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = slaOf(ws.settings);
  const parsed = SlaSettingsSchema.safeParse({
    ...before,
    ...patch,
    calendar: { ...before.calendar, ...(patch.calendar ?? {}) },
    atRisk: { ...before.atRisk, ...(patch.atRisk ?? {}) },
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new DeskmindError('validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  const after = parsed.data;
  const names = after.policies.map((p) => p.name.toLowerCase());
  if (new Set(names).size !== names.length) {
    throw new DeskmindError('validation_failed', 'Policy names must be unique', {
      issues: [{ path: 'policies', message: 'duplicate name' }],
    });
  }
  await ctx.db
    .update(workspaces)
    .set({ settings: { ...ws.settings, sla: after } })
    .where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, { section: 'sla', before, after });
  return after;
}
