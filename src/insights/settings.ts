/**
 * The workspace's insights settings (`workspaces.settings.insights`): topics, anomaly detection, and
 * where bug reports go. Tokens and webhook secrets are write-only: reads say whether one is set.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { OutboundGuard } from '../security/outbound-url.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';
import { workspaces } from '../store/schema.js';

const secret = z.string().min(1).max(500);
const endpointUrl = z.url().max(2048);

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
        /** Where reports go: nowhere (kept in Deskmind), Linear, GitHub Issues or a webhook. */
        destination: z.enum(['none', 'linear', 'github', 'webhook']).default('none'),
        /** Intents whose tickets are bug reports. */
        intents: z.array(z.string()).default(['bug_report']),
        /** Tickets a group needs before it is sent. */
        minTickets: z.number().int().min(1).default(2),
        linear: z
          .object({
            apiKey: secret.optional(),
            teamId: z.string().max(200).optional(),
            apiUrl: endpointUrl.optional(),
            webhookSecret: secret.optional(),
          })
          .strict()
          .default({}),
        github: z
          .object({
            token: secret.optional(),
            owner: z.string().max(200).optional(),
            repo: z.string().max(200).optional(),
            apiUrl: endpointUrl.optional(),
            webhookSecret: secret.optional(),
          })
          .strict()
          .default({}),
        webhook: z.object({ url: endpointUrl.optional() }).strict().default({}),
        /** Resolve the linked tickets with a reply when the engineering issue is closed. */
        resolveOnClose: z.boolean().default(true),
        closeReply: z
          .string()
          .min(1)
          .max(5000)
          .default(
            'Good news: the problem you reported has been fixed by our engineering team. Thank you for letting us ' +
              'know — reply here if you still see it.',
          ),
      })
      .strict()
      .default({
        destination: 'none',
        intents: ['bug_report'],
        minTickets: 2,
        linear: {},
        github: {},
        webhook: {},
        resolveOnClose: true,
        closeReply:
          'Good news: the problem you reported has been fixed by our engineering team. Thank you for letting us ' +
          'know — reply here if you still see it.',
      }),
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
        destination: z.enum(['none', 'linear', 'github', 'webhook']).optional(),
        intents: z.array(z.string().min(1).max(100)).max(50).optional(),
        minTickets: z.number().int().min(1).optional(),
        linear: z
          .object({
            apiKey: secret.nullable(),
            teamId: z.string().max(200).nullable(),
            apiUrl: endpointUrl.nullable(),
            webhookSecret: secret.nullable(),
          })
          .partial()
          .strict()
          .optional(),
        github: z
          .object({
            token: secret.nullable(),
            owner: z.string().max(200).nullable(),
            repo: z.string().max(200).nullable(),
            apiUrl: endpointUrl.nullable(),
            webhookSecret: secret.nullable(),
          })
          .partial()
          .strict()
          .optional(),
        webhook: z.object({ url: endpointUrl.nullable() }).partial().strict().optional(),
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
    linear: z.object({
      teamId: z.string().nullable(),
      apiUrl: z.string().nullable(),
      hasApiKey: z.boolean(),
      hasWebhookSecret: z.boolean(),
    }),
    github: z.object({
      owner: z.string().nullable(),
      repo: z.string().nullable(),
      apiUrl: z.string().nullable(),
      hasToken: z.boolean(),
      hasWebhookSecret: z.boolean(),
    }),
    webhook: z.object({ url: z.string().nullable() }),
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
  const b = s.bugReports;
  return {
    topics: s.topics,
    anomalies: s.anomalies,
    bugReports: {
      destination: b.destination,
      intents: b.intents,
      minTickets: b.minTickets,
      linear: {
        teamId: b.linear.teamId ?? null,
        apiUrl: b.linear.apiUrl ?? null,
        hasApiKey: !!b.linear.apiKey,
        hasWebhookSecret: !!b.linear.webhookSecret,
      },
      github: {
        owner: b.github.owner ?? null,
        repo: b.github.repo ?? null,
        apiUrl: b.github.apiUrl ?? null,
        hasToken: !!b.github.token,
        hasWebhookSecret: !!b.github.webhookSecret,
      },
      webhook: { url: b.webhook.url ?? null },
      resolveOnClose: b.resolveOnClose,
      closeReply: b.closeReply,
    },
  };
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
  const urls = {
    'bugReports.linear.apiUrl': patch.bugReports?.linear?.apiUrl,
    'bugReports.github.apiUrl': patch.bugReports?.github?.apiUrl,
    'bugReports.webhook.url': patch.bugReports?.webhook?.url,
  };
  for (const [field, url] of Object.entries(urls)) if (url) guard.assertAllowed(url, field);
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = insightsOf(ws.settings);
  const { linear, github, webhook, ...bugRest } = patch.bugReports ?? {};
  const after = InsightsSettingsSchema.parse({
    topics: merge(before.topics, patch.topics),
    anomalies: merge(before.anomalies, patch.anomalies),
    bugReports: {
      ...merge(before.bugReports, bugRest),
      linear: merge(before.bugReports.linear, linear),
      github: merge(before.bugReports.github, github),
      webhook: merge(before.bugReports.webhook, webhook),
    },
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
