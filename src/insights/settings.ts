/**
 * The workspace's insights settings (`workspaces.settings.insights`): topics, anomaly detection, and
 * where bug reports go. Each tracker of the connector registry (`TRACKERS`) is a destination and has its own
 * section of `bugReports` (`bugReports.<kind>`), built from its declaration (`defineTracker`). Tokens and webhook
 * secrets are write-only: reads say whether one is set.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { TrackerFactory } from '../connectors/connector.js';
import { TRACKERS, trackerSettingsSchema, type RegisteredTracker } from '../connectors/registry.js';
import type { OutboundGuard } from '../security/outbound-url.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';
import { workspaces } from '../store/schema.js';

type Fields<T extends TrackerFactory> = z.output<T['settings']>;
type Secret<T extends TrackerFactory> = T['secrets'][number];
/** A tracker's section as stored: any of its fields. */
type StoredSection<T extends TrackerFactory> = Partial<Fields<T>>;
/** A change of a tracker's section: a field sent as null is removed. */
type PatchSection<T extends TrackerFactory> = { [F in keyof Fields<T>]?: Fields<T>[F] | null };
/** A tracker's section as reads show it: its settings, and for each secret whether it is set. */
type ViewSection<T extends TrackerFactory> = { [F in Exclude<keyof Fields<T>, Secret<T>>]: string | null } & {
  [F in Secret<T> as `has${Capitalize<F>}`]: boolean;
};
/** `secretKey` → `hasSecretKey`: how reads say a secret is set. */
const hasField = (field: string) => `has${field.charAt(0).toUpperCase()}${field.slice(1)}`;

/**
 * One schema per tracker, under its kind, in registry order. Each use states the type the schemas have (from each
 * tracker's declaration, above): TypeScript cannot map a list's entries to an object's keys by itself.
 */
const trackerShape = (build: (t: TrackerFactory) => z.ZodType): Record<string, z.ZodType> =>
  Object.fromEntries(TRACKERS.map((t) => [t.kind, build(t)]));

const storedShape = trackerShape((t) => trackerSettingsSchema(t).default({})) as {
  [T in RegisteredTracker as T['kind']]: z.ZodDefault<z.ZodType<StoredSection<T>>>;
};
const patchShape = trackerShape((t) =>
  z
    .object(Object.fromEntries(Object.entries(t.settings.shape).map(([field, schema]) => [field, schema.nullable()])))
    .partial()
    .strict()
    .optional(),
) as { [T in RegisteredTracker as T['kind']]: z.ZodOptional<z.ZodType<PatchSection<T>>> };
const viewShape = trackerShape((t) =>
  z.object({
    ...Object.fromEntries(
      Object.keys(t.settings.shape)
        .filter((field) => !t.secrets.includes(field))
        .map((field) => [field, z.string().nullable()]),
    ),
    ...Object.fromEntries(t.secrets.map((field) => [hasField(field), z.boolean()])),
  }),
) as { [T in RegisteredTracker as T['kind']]: z.ZodType<ViewSection<T>> };

/** Where reports go: nowhere (kept in Deskmind) or a tracker of the registry. */
const DESTINATIONS = ['none', ...TRACKERS.map((t) => t.kind)] as const;

const CLOSE_REPLY =
  'Good news: the problem you reported has been fixed by our engineering team. Thank you for letting us ' +
  'know — reply here if you still see it.';

export const InsightsSettingsSchema = z
  .object({
    topics: z
      .object({
        /** Days of tickets clustered into topics. */
        days: z.number().int().min(1).max(365).default(30),
        /** Cosine a ticket needs to join a topic; below it, it starts a new one. */
        similarity: z.number().min(0).max(1).default(0.75),
        /** Smallest topic shown. */
        minSize: z.number().int().min(1).default(2),
      })
      .strict()
      .default({ days: 30, similarity: 0.75, minSize: 2 }),
    anomalies: z
      .object({
        /** Per-test false-alarm probability of the Poisson tail test. */
        alpha: z.number().min(1e-9).max(0.1).default(1e-4),
        /** Fewest tickets in the window for an alert. */
        minCount: z.number().int().min(1).default(3),
        /** Smallest observed/expected ratio of a spike. */
        minRatio: z.number().min(1).default(2),
        /** No second alert for the same series within this many hours. */
        cooldownHours: z.number().min(0).default(6),
      })
      .strict()
      .default({ alpha: 1e-4, minCount: 3, minRatio: 2, cooldownHours: 6 }),
    bugReports: z
      .object({
        /** Where reports go: nowhere (kept in Deskmind) or a tracker (`linear`, `github`, `webhook` …). */
        destination: z.enum(DESTINATIONS).default('none'),
        /** Intents whose tickets are bug reports. */
        intents: z.array(z.string()).default(['bug_report']),
        /** Tickets a group needs before it is sent. */
        minTickets: z.number().int().min(1).default(2),
        /** Each tracker's settings. */
        ...storedShape,
        /** Resolve the linked tickets with a reply when the engineering issue is closed. */
        resolveOnClose: z.boolean().default(true),
        closeReply: z.string().min(1).max(5000).default(CLOSE_REPLY),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type InsightsSettings = z.infer<typeof InsightsSettingsSchema>;

/** A change: each section's fields replace the stored ones (a secret sent as null is removed). */
export const InsightsSettingsPatchSchema = z
  .object({
    topics: InsightsSettingsSchema.shape.topics.unwrap().partial().strict().optional(),
    anomalies: InsightsSettingsSchema.shape.anomalies.unwrap().partial().strict().optional(),
    bugReports: z
      .object({
        destination: z.enum(DESTINATIONS).optional(),
        intents: z.array(z.string().min(1).max(100)).max(50).optional(),
        minTickets: z.number().int().min(1).optional(),
        ...patchShape,
        resolveOnClose: z.boolean().optional(),
        closeReply: z.string().min(1).max(5000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type InsightsSettingsPatch = z.infer<typeof InsightsSettingsPatchSchema>;

/** What reads show: the settings without secrets, and which secrets are set. */
export const InsightsSettingsViewSchema = z.object({
  topics: InsightsSettingsSchema.shape.topics.unwrap(),
  anomalies: InsightsSettingsSchema.shape.anomalies.unwrap(),
  bugReports: z.object({
    destination: z.string(),
    intents: z.array(z.string()),
    minTickets: z.number(),
    ...viewShape,
    resolveOnClose: z.boolean(),
    closeReply: z.string(),
  }),
});
export type InsightsSettingsView = z.infer<typeof InsightsSettingsViewSchema>;

/** The stored settings with defaults for anything missing. */
export function insightsOf(settings: Record<string, unknown> | null | undefined): InsightsSettings {
  const parsed = InsightsSettingsSchema.safeParse((settings?.insights as object | undefined) ?? {});
  return parsed.success ? parsed.data : InsightsSettingsSchema.parse({});
}

/** The settings as shown to admins: secrets replaced by whether they are set. */
export function viewOf(s: InsightsSettings): InsightsSettingsView {
  const { bugReports } = s;
  const trackers = TRACKERS.map((t) => [t.kind, sectionView(t, bugReports[t.kind])]);
  return InsightsSettingsViewSchema.parse({
    topics: s.topics,
    anomalies: s.anomalies,
    bugReports: { ...bugReports, ...Object.fromEntries(trackers) },
  });
}

/** A tracker's section as reads show it: its fields (null when unset), and `has<Field>` for each secret. */
function sectionView(tracker: TrackerFactory, section: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const field of Object.keys(tracker.settings.shape))
    if (!tracker.secrets.includes(field)) view[field] = section[field] ?? null;
  for (const field of tracker.secrets) view[hasField(field)] = !!section[field];
  return view;
}

export async function getInsightsSettings(ctx: Ctx): Promise<InsightsSettings> {
  return insightsOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Merges fields of an object patch; a null removes the field. */
function merge<T extends Record<string, unknown>>(before: T, patch: Record<string, unknown> | undefined): T {
  const out: Record<string, unknown> = { ...before };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** Changes the settings (tracker URLs must pass the outbound URL guard); logged as `settings.changed` (secrets never
 * appear in the log). */
export async function updateInsightsSettings(
  ctx: Ctx,
  patch: InsightsSettingsPatch,
  guard: Pick<OutboundGuard, 'assertAllowed'>,
): Promise<InsightsSettingsView> {
  const bugPatch = patch.bugReports ?? {};
  for (const t of TRACKERS) {
    const section: Readonly<Record<string, unknown>> = bugPatch[t.kind] ?? {};
    for (const field of t.urls) {
      const url = section[field];
      if (typeof url === 'string' && url) guard.assertAllowed(url, `bugReports.${t.kind}.${field}`);
    }
  }
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = insightsOf(ws.settings);
  const isTracker = (key: string) => TRACKERS.some((t) => t.kind === key);
  const bugRest = Object.fromEntries(Object.entries(bugPatch).filter(([key]) => !isTracker(key)));
  const sections = TRACKERS.map((t) => [t.kind, merge(before.bugReports[t.kind], bugPatch[t.kind])]);
  const after = InsightsSettingsSchema.parse({
    topics: merge(before.topics, patch.topics),
    anomalies: merge(before.anomalies, patch.anomalies),
    bugReports: { ...merge(before.bugReports, bugRest), ...Object.fromEntries(sections) },
  });
  await ctx.db
    .update(workspaces)
    .set({ settings: { ...ws.settings, insights: after } })
    .where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, {
    section: 'insights',
    before: viewOf(before),
    after: viewOf(after),
  });
  return viewOf(after);
}
