import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { PRIORITIES } from '../domain/enums.js';
import { DeskmindError } from '../domain/errors.js';
import { patchOf } from '../domain/schemas.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';
import { workspaces } from '../store/schema.js';
import { isTimeZone } from './business-time.js';

const hhmm = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;
const isoDay = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const WEEKDAY_KEYS = ['0', '1', '2', '3', '4', '5', '6'] as const;
const nineToFive = ['09:00-17:00'];

const BusinessCalendarFields = z
  .object({
    timezone: z.string().min(1).max(64).refine(isTimeZone, 'unknown time zone').default('UTC'),
    /** 24/7: every minute counts. */
    alwaysOpen: z.boolean().default(false),
    days: z
      .partialRecord(z.enum(WEEKDAY_KEYS), z.array(z.string().regex(hhmm, 'HH:MM-HH:MM')).max(10))
      .default({ '1': nineToFive, '2': nineToFive, '3': nineToFive, '4': nineToFive, '5': nineToFive }),
    holidays: z.array(z.string().regex(isoDay, 'YYYY-MM-DD')).max(500).default([]),
  })
  .strict();
/**
 * When the support desk is open: ranges per weekday (0 = Sunday) in a time zone, holidays (local ISO
 * dates on which no range starts), or around the clock with `alwaysOpen`. A range whose end is before its
 * start runs past midnight into the next day.
 */
export const BusinessCalendarSchema = BusinessCalendarFields.refine(
  (c) => c.alwaysOpen || Object.values(c.days).some((r) => r?.some((x) => x.slice(0, 5) !== x.slice(6))),
  'the calendar is never open: add a range or set alwaysOpen',
);
export type BusinessCalendar = z.infer<typeof BusinessCalendarSchema>;

/** The around-the-clock calendar. */
export const ALWAYS_OPEN: BusinessCalendar = { timezone: 'UTC', alwaysOpen: true, days: {}, holidays: [] };

/** Targets for the tickets a policy matches: by tier and priority (an empty list matches any). */
export const SlaPolicySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    tiers: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
    priorities: z.array(z.enum(PRIORITIES)).max(4).default([]),
    firstResponseMinutes: z.number().int().positive().max(525_600),
    resolutionMinutes: z.number().int().positive().max(525_600),
    /** Count only the calendar's open time; when off the targets run around the clock. */
    businessHours: z.boolean().default(true),
  })
  .strict();
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;

const policy = (
  name: string,
  tiers: string[],
  priorities: SlaPolicy['priorities'],
  firstResponseMinutes: number,
  resolutionMinutes: number,
  businessHours = true,
): SlaPolicy => ({
  name,
  tiers,
  priorities,
  firstResponseMinutes,
  resolutionMinutes,
  businessHours,
});

/** The policies a workspace starts with: enterprise around the clock, pro and free in business hours. */
export const DEFAULT_POLICIES: SlaPolicy[] = [
  policy('Enterprise urgent', ['enterprise'], ['urgent'], 30, 4 * 60, false),
  policy('Enterprise high', ['enterprise'], ['high'], 60, 8 * 60, false),
  policy('Enterprise', ['enterprise'], [], 2 * 60, 24 * 60, false),
  policy('Pro urgent', ['pro'], ['urgent'], 60, 8 * 60),
  policy('Pro high', ['pro'], ['high'], 2 * 60, 16 * 60),
  policy('Pro', ['pro'], [], 4 * 60, 24 * 60),
  policy('Free', [], [], 24 * 60, 72 * 60),
];

/** When a ticket counts as at risk: within `fraction` of its target, or `minutes`, whichever is larger. */
export const AtRiskSchema = z
  .object({
    fraction: z.number().min(0).max(1).default(0.2),
    minutes: z.number().int().min(0).max(10_080).default(15),
  })
  .strict();

/** A workspace's SLA settings, stored in `workspaces.settings.sla`. */
export const SlaSettingsSchema = z
  .object({
    /** Checked in order; the first whose tiers and priorities match applies. */
    policies: z.array(SlaPolicySchema).max(100).default(DEFAULT_POLICIES),
    calendar: BusinessCalendarSchema.default(BusinessCalendarSchema.parse({})),
    /** The tier of tickets whose customer has no account. */
    defaultTier: z.string().trim().min(1).max(64).default('free'),
    atRisk: AtRiskSchema.default({ fraction: 0.2, minutes: 15 }),
  })
  .strict();
export type SlaSettings = z.infer<typeof SlaSettingsSchema>;

/** A change to the SLA settings: `policies` replaces the list; `calendar` and `atRisk` change only the fields sent. */
export const SlaSettingsPatchSchema = z
  .object({
    policies: z.array(SlaPolicySchema).max(100).optional(),
    calendar: patchOf(BusinessCalendarFields).optional(),
    defaultTier: z.string().trim().min(1).max(64).optional(),
    atRisk: patchOf(AtRiskSchema).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type SlaSettingsPatch = z.infer<typeof SlaSettingsPatchSchema>;

/** The SLA settings stored on a workspace, with defaults for anything missing or invalid. */
export function slaOf(settings: Record<string, unknown> | null | undefined): SlaSettings {
  const parsed = SlaSettingsSchema.safeParse((settings?.sla as object | undefined) ?? {});
  return parsed.success ? parsed.data : SlaSettingsSchema.parse({});
}

/** The first policy matching a tier and priority, or null. */
export function matchPolicy(
  settings: SlaSettings,
  tier: string,
  priority: SlaPolicy['priorities'][number],
): SlaPolicy | null {
  const t = tier.toLowerCase();
  return (
    settings.policies.find(
      (p) =>
        (!p.tiers.length || p.tiers.some((x) => x.toLowerCase() === t)) &&
        (!p.priorities.length || p.priorities.includes(priority)),
    ) ?? null
  );
}

/** The calendar a policy's targets run on. */
export const calendarOf = (settings: SlaSettings, policy: SlaPolicy | null): BusinessCalendar =>
  policy?.businessHours ? settings.calendar : ALWAYS_OPEN;

/** The workspace's SLA settings (policies, business calendar, at-risk window). */
export async function getSlaSettings(ctx: Ctx): Promise<SlaSettings> {
  return slaOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/**
 * Changes the SLA settings, in one transaction: `policies` replaces the list, `calendar` and `atRisk` change only
 * the fields sent. Logged as `settings.changed` with old and new values. Due times already stored stay as they are
 * until `applySla` runs again for a ticket.
 */
export function updateSlaSettings(ctx: Ctx, patch: SlaSettingsPatch): Promise<SlaSettings> {
  return inTransaction(ctx, (ctx) => writeSlaSettings(ctx, patch));
}

async function writeSlaSettings(ctx: Ctx, patch: SlaSettingsPatch): Promise<SlaSettings> {
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
