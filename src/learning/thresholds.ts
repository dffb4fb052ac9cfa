import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { patchOf } from '../domain/schemas.js';
import { thresholdFor } from '../pipeline/policy.js';
import type { Ctx } from '../services/context.js';
import { getAutonomy, updateAutonomy } from '../services/controls.js';
import { appendEvent } from '../services/events.js';
import { getWorkspace } from '../services/workspaces.js';
import { events, playbooks, workspaces } from '../store/schema.js';
import { parseInput, classifyOutcome, DEFAULT_WINDOW_HOURS, FAILED_OUTCOMES, loadTicketFacts } from './outcomes.js';

/**
 * How the learning loop tunes per-intent autonomy thresholds; stored in `workspaces.settings.learning`,
 * with defaults for anything missing.
 */
export const LearningSettingsSchema = z
  .object({
    /** Tune thresholds automatically (the sweep, once a day). */
    enabled: z.boolean().default(true),
    /** Success rate the assistant must keep: the Wilson lower bound (95%) must stay above it. */
    targetSuccess: z.number().min(0.5).max(0.999).default(0.95),
    /** Answers needed before a threshold moves. */
    minSamples: z.number().int().min(5).default(30),
    /** Hours after an answer during which a reopen, a request for a human or a "wrong" verdict counts. */
    windowHours: z.number().min(1).max(24 * 60).default(DEFAULT_WINDOW_HOURS),
    /** Lowest threshold the tuner may set. */
    floor: z.number().min(0).max(1).default(0.5),
    /** Threshold the tuner falls back to when no confidence level is safe. */
    ceiling: z.number().min(0).max(1).default(0.99),
    /** Largest step down in one tuning run (raises are never limited). */
    maxStep: z.number().min(0.001).max(1).default(0.05),
    /** Days of answers the tuner looks at (recent evidence reflects today's model and articles). */
    lookbackDays: z.number().int().min(1).max(365).default(90),
    /** Intents whose threshold only an admin changes. */
    pinnedIntents: z.array(z.string().min(1).max(100)).default([]),
  })
  .strict()
  .refine((s) => s.floor <= s.ceiling, { message: 'floor must not be above ceiling', path: ['floor'] });
export type LearningSettings = z.infer<typeof LearningSettingsSchema>;
export const LearningSettingsPatchSchema = patchOf(LearningSettingsSchema);

/** The learning settings stored on a workspace, with defaults for anything missing. */
export function learningOf(settings: Record<string, unknown> | null | undefined): LearningSettings {
  const parsed = LearningSettingsSchema.safeParse((settings?.learning as object | undefined) ?? {});
  return parsed.success ? parsed.data : LearningSettingsSchema.parse({});
}

/**
 * The Wilson score interval's lower bound of a success rate (z = 1.96 for 95%); 0 without samples.
 *
 * @example wilsonLower(95, 100) // ≈ 0.888
 */
export function wilsonLower(successes: number, n: number, z = 1.96): number {
  if (n <= 0) return 0;
  const p = successes / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

/** One AI answer: the intent's confidence when the assistant decided, and whether the answer held. */
export const ThresholdSampleSchema = z.object({ confidence: z.number().min(0).max(1), success: z.boolean() });
export type ThresholdSample = z.infer<typeof ThresholdSampleSchema>;

/** The evidence at one confidence level: answers at or above it, those that held, and the bound. */
export const EvidenceSchema = z.object({ at: z.number(), n: z.number().int(), successes: z.number().int(), wilsonLower: z.number() });
export type Evidence = z.infer<typeof EvidenceSchema>;

export const ProposalSchema = z.object({
  intent: z.string(),
  current: z.number(),
  proposed: z.number(),
  action: z.enum(['lower', 'raise', 'hold']),
  reason: z.enum(['pinned', 'playbook_threshold', 'too_few_samples', 'safe_lower_threshold', 'success_below_target', 'at_lowest_safe_threshold']),
  /** The evidence at the current threshold. */
  atCurrent: EvidenceSchema,
  /** The evidence at the proposed threshold (the same as `atCurrent` when holding). */
  atProposed: EvidenceSchema,
});
export type Proposal = z.infer<typeof ProposalSchema>;

const evidenceAt = (samples: ThresholdSample[], at: number): Evidence => {
  const above = samples.filter((s) => s.confidence >= at);
  const successes = above.filter((s) => s.success).length;
  return { at, n: above.length, successes, wilsonLower: wilsonLower(successes, above.length) };
};

/**
 * Proposes one intent's threshold from its answers (pure). The lowest confidence whose answers at or
 * above it reach `minSamples` and keep the Wilson lower bound above `targetSuccess` is the safe
 * threshold; the threshold steps down toward it (to the lowest safe level within `maxStep`, else the
 * nearest safe level below; never below `floor`), and
 * goes back up as soon as the bound at the current threshold falls below the target (to the lowest safe
 * confidence above it, or `ceiling` when there is none). Pinned intents hold.
 *
 * @example proposeThreshold({ intent: 'billing_invoice', current: 0.9, samples, settings }).proposed // 0.85
 */
export function proposeThreshold(input: { intent: string; current: number; samples: ThresholdSample[]; settings: LearningSettings; pinnedBy?: 'admin' | 'playbook' }): Proposal {
  const { intent, current, samples, settings: s } = input;
  const atCurrent = evidenceAt(samples, current);
  const hold = (reason: Proposal['reason']): Proposal => ({ intent, current, proposed: current, action: 'hold', reason, atCurrent, atProposed: atCurrent });
  if (input.pinnedBy === 'admin' || s.pinnedIntents.includes(intent)) return hold('pinned');
  if (input.pinnedBy === 'playbook') return hold('playbook_threshold');
  const levels = [...new Set(samples.map((x) => x.confidence))].filter((c) => c >= s.floor && c <= s.ceiling).sort((a, b) => a - b);
  const safe = levels.map((c) => evidenceAt(samples, c)).filter((e) => e.n >= s.minSamples && e.wilsonLower > s.targetSuccess);
  if (atCurrent.n >= s.minSamples && atCurrent.wilsonLower < s.targetSuccess) {
    const above = safe.find((e) => e.at > current);
    const to = above ?? evidenceAt(samples, Math.max(current, s.ceiling));
    if (to.at <= current) return hold('success_below_target');
    return { intent, current, proposed: to.at, action: 'raise', reason: 'success_below_target', atCurrent, atProposed: to };
  }
  // The lowest safe level within one step, else the nearest safe level below.
  const below = safe.filter((e) => e.at < current);
  const lower = below.find((e) => e.at >= current - s.maxStep - 1e-9) ?? below.at(-1);
  if (lower) return { intent, current, proposed: lower.at, action: 'lower', reason: 'safe_lower_threshold', atCurrent, atProposed: lower };
  return hold(atCurrent.n < s.minSamples && !safe.length ? 'too_few_samples' : 'at_lowest_safe_threshold');
}

/** The learning settings of the context's workspace. */
export async function getLearningSettings(ctx: Ctx): Promise<LearningSettings> {
  return learningOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Changes the learning settings (pins included); logged as `settings.changed` with the old and new values. */
export async function updateLearningSettings(ctx: Ctx, patch: z.infer<typeof LearningSettingsPatchSchema>): Promise<LearningSettings> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = learningOf(ws.settings);
  const after = parseInput(LearningSettingsSchema, { ...before, ...patch });
  await ctx.db.update(workspaces).set({ settings: { ...ws.settings, learning: after } }).where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, { section: 'learning', before, after });
  return after;
}

/** The answers of the lookback period, per intent the assistant decided on. */
async function samplesByIntent(ctx: Ctx, s: LearningSettings): Promise<Map<string, ThresholdSample[]>> {
  const now = ctx.now();
  const facts = await loadTicketFacts(ctx, { from: new Date(now.getTime() - s.lookbackDays * 86_400_000), to: now });
  const byIntent = new Map<string, ThresholdSample[]>();
  for (const f of facts) {
    if (!f.decided?.intent || f.decided.confidence === null) continue;
    const verdict = classifyOutcome(f.timeline, { now, windowHours: s.windowHours });
    if (!verdict || verdict.outcome === 'pending') continue;
    const list = byIntent.get(f.decided.intent) ?? [];
    list.push({ confidence: f.decided.confidence, success: !FAILED_OUTCOMES.includes(verdict.outcome) });
    byIntent.set(f.decided.intent, list);
  }
  return byIntent;
}

/** Thresholds in force and what the tuner would do with each intent, with the evidence. */
export async function proposeThresholds(ctx: Ctx): Promise<{ settings: LearningSettings; defaultThreshold: number; current: Record<string, number>; proposals: Proposal[] }> {
  const [settings, autonomy] = [await getLearningSettings(ctx), await getAutonomy(ctx)];
  const samples = await samplesByIntent(ctx, settings);
  const pinnedByPlaybook = new Map(
    (await ctx.db.select({ intent: playbooks.intent, threshold: playbooks.threshold }).from(playbooks).where(and(eq(playbooks.workspaceId, ctx.workspaceId), isNotNull(playbooks.threshold)))).map((p) => [p.intent, p.threshold!]),
  );
  const intents = [...new Set([...Object.keys(autonomy.intentThresholds), ...samples.keys()])].sort();
  const current = Object.fromEntries(intents.map((i) => [i, thresholdFor(autonomy, i, pinnedByPlaybook.get(i) ?? null)]));
  const proposals = intents.map((intent) =>
    proposeThreshold({ intent, current: current[intent]!, samples: samples.get(intent) ?? [], settings, ...(pinnedByPlaybook.has(intent) ? { pinnedBy: 'playbook' as const } : {}) }),
  );
  return { settings, defaultThreshold: autonomy.defaultThreshold, current, proposals };
}

/**
 * Tunes the workspace's per-intent thresholds: applies every proposal that moves a threshold through
 * `updateAutonomy` (logged with before and after), records the run with its evidence
 * (`settings.changed {section: 'thresholds.tuned'}`), and returns the changes. Call inside a transaction.
 *
 * @example const { changes } = await desk.tx(wsId, systemActor, (ctx) => tuneThresholds(ctx));
 */
export async function tuneThresholds(ctx: Ctx): Promise<{ changes: Proposal[]; proposals: Proposal[] }> {
  const { proposals } = await proposeThresholds(ctx);
  const changes = proposals.filter((p) => p.action !== 'hold');
  if (changes.length) await updateAutonomy(ctx, { intentThresholds: Object.fromEntries(changes.map((c) => [c.intent, c.proposed])) });
  await appendEvent(ctx, 'settings.changed', null, { section: 'thresholds.tuned', changes });
  return { changes, proposals };
}

/**
 * Tunes when the workspace has tuning enabled and the last run is at least `everyHours` old; for
 * `Deskmind.sweep()`. Returns null when it did not run. Call inside a transaction.
 */
export async function tuneThresholdsIfDue(ctx: Ctx, everyHours = 24): Promise<{ changes: Proposal[] } | null> {
  if (!(await getLearningSettings(ctx)).enabled) return null;
  const [last] = await ctx.db
    .select({ createdAt: events.createdAt })
    .from(events)
    .where(and(eq(events.workspaceId, ctx.workspaceId), eq(events.type, 'settings.changed'), sql`${events.data}->>'section' = 'thresholds.tuned'`))
    .orderBy(desc(events.id))
    .limit(1);
  if (last && ctx.now().getTime() - last.createdAt.getTime() < everyHours * 3_600_000) return null;
  const { changes } = await tuneThresholds(ctx);
  return { changes };
}
