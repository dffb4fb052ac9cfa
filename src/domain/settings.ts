import { z } from 'zod';
import { patchOf } from './schemas.js';

/**
 * A workspace's autonomy settings: when the assistant may answer alone. They start conservative; the
 * learning loop (and admins) move per-intent thresholds.
 */
export const AutonomySettingsSchema = z
  .object({
    /** Confidence an intent needs when neither its playbook nor `intentThresholds` sets one. */
    defaultThreshold: z.number().min(0).max(1).default(0.9),
    /** Per-intent thresholds. */
    intentThresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
    /** Shadow mode for the whole workspace: the assistant drafts, a human approves and sends. */
    shadowMode: z.boolean().default(false),
    /** Tiers whose tickets always go to a human. */
    handoffTiers: z.array(z.string()).default(['enterprise']),
    /** Lowest sentiment compound score (−1..1) the assistant may answer. */
    minSentiment: z.number().min(-1).max(1).default(-0.6),
    /** Highest frustration, anger and anxiety together (1 − Π(1 − e), 0..1) the assistant may answer. */
    maxEmotion: z.number().min(0).max(1).default(0.5),
    /** Lowest retrieval score of the best passage for an answer. */
    minRetrievalScore: z.number().min(0).max(1).default(0.35),
    /** Public assistant replies allowed on one ticket. */
    maxAiReplies: z.number().int().min(0).default(1),
    /** Days within which another ticket of the same intent counts as a repeat contact. */
    repeatContactDays: z.number().min(0).default(7),
    /** Languages the assistant answers in. */
    languages: z.array(z.string().min(2).max(10)).default(['en']),
  })
  .strict();
export type AutonomySettings = z.infer<typeof AutonomySettingsSchema>;
export const AutonomySettingsPatchSchema = patchOf(AutonomySettingsSchema);

/** The settings stored on a workspace, with defaults for anything missing. */
export function autonomyOf(settings: Record<string, unknown> | null | undefined): AutonomySettings {
  const parsed = AutonomySettingsSchema.safeParse((settings?.autonomy as object | undefined) ?? {});
  return parsed.success ? parsed.data : AutonomySettingsSchema.parse({});
}
