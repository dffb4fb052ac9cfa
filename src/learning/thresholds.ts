import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { patchOf } from '../domain/schemas.js';
import { thresholdFor } from '../pipeline/stages/policy.js';
import type { Ctx } from '../store/ctx.js';
import { autonomyOf } from '../domain/settings.js';
import { getAutonomy } from '../tickets/autonomy.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';
import { events, playbooks, workspaces } from '../store/schema.js';
import { humanLabel } from '../metrics/learning.js';
import { refitAnswerJudge } from '../resolution/answer-judge.js';
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
    windowHours: z
      .number()
      .min(1)
      .max(24 * 60)
      .default(DEFAULT_WINDOW_HOURS),
    /** Lowest threshold the tuner may set. */
    floor: z.number().min(0).max(1).default(0.5),
    /** Threshold the tuner falls back to when no confidence level is safe. */
    ceiling: z.number().min(0).max(1).default(0.99),
    /** Largest step down of one intent's threshold within 24 hours, however often the tuner runs (raises are never
     * limited). */
    maxStep: z.number().min(0.001).max(1).default(0.05),
    /** Days of answers the tuner looks at (recent evidence reflects today's model and articles). */
    lookbackDays: z.number().int().min(1).max(365).default(90),
    /** Intents whose threshold only an admin changes (`*`: the workspace's default threshold). */
    pinnedIntents: z.array(z.string().min(1).max(100)).default([]),
    /** Count handed-off tickets whose intent a person later set as evidence (would the prediction at that confidence
     * have been right?). */
    handoffEvidence: z.boolean().default(true),
    /** Retrain the intent model in the background (the sweep queues it when due), promoted only when not worse on
     * recent labels. */
    retrain: z.boolean().default(true),
    /** A retrain is due once this many new labels arrived since the model was last trained... */
    retrainMinLabels: z.number().int().min(1).default(100),
    /** ...and the labels grew by this share since the last retrain. */
    retrainGrowth: z.number().min(0).max(10).default(0.2),
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

/**
 * The Wilson score interval's upper bound (z = 1.96 for 95%); 1 without samples.
 *
 * @example wilsonUpper(95, 100) // ≈ 0.978
 */
export function wilsonUpper(successes: number, n: number, z = 1.96): number {
  if (n <= 0) return 1;
  const p = successes / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

/** One AI answer: the intent's confidence when the assistant decided, and whether the answer held. */
export const ThresholdSampleSchema = z.object({ confidence: z.number().min(0).max(1), success: z.boolean() });
export type ThresholdSample = z.infer<typeof ThresholdSampleSchema>;

/** The evidence at one confidence level: answers at or above it, those that held, and the bound. */
export const EvidenceSchema = z.object({
  at: z.number(),
  n: z.number().int(),
  successes: z.number().int(),
  wilsonLower: z.number(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const ProposalSchema = z.object({
  intent: z.string(),
  current: z.number(),
  proposed: z.number(),
  action: z.enum(['lower', 'raise', 'hold']),
  reason: z.enum([
    'pinned',
    'playbook_threshold',
    'too_few_samples',
    'safe_lower_threshold',
    'success_below_target',
    'at_lowest_safe_threshold',
    'step_used_today',
    'starting_threshold',
  ]),
  /** The evidence at the current threshold. */
  atCurrent: EvidenceSchema,
  /** The evidence at the proposed threshold (the same as `atCurrent` when holding). */
  atProposed: EvidenceSchema,
  /** When lowering: the lowest safe level the evidence supports, which the capped step moves toward. */
  safeLevel: EvidenceSchema.optional(),
});
export type Proposal = z.infer<typeof ProposalSchema>;

const evidenceAt = (samples: ThresholdSample[], at: number): Evidence => {
  const above = samples.filter((s) => s.confidence >= at);
  const successes = above.filter((s) => s.success).length;
  return { at, n: above.length, successes, wilsonLower: wilsonLower(successes, above.length) };
};

/** A level rounded up to four decimals (so rounding never makes a step larger than allowed). */
const roundUp = (x: number) => Math.ceil(x * 1e4 - 1e-6) / 1e4;

/**
 * Proposes one intent's threshold from its own evidence (pure). A confidence level is safe when the samples
 * at or above it reach `minSamples` and keep the Wilson lower bound above `targetSuccess`. The threshold
 * steps down toward the lowest safe level by at most `budget` (what is left of `maxStep` today; `maxStep`
 * when omitted), never below `floor`, and never to a level whose own evidence says it falls short of the
 * target (then only as far as the lowest safe level within the step). It goes back up as soon as
 * the evidence at the current threshold says the success rate is below the target (the Wilson upper bound
 * under it): at once, to the lowest safe confidence above it, or `ceiling` when there is none (raises are
 * the safe direction and are not capped). Pinned intents hold.
 *
 * @example proposeThreshold({ intent: 'billing_invoice', current: 0.9, samples, settings }).proposed // 0.88
 */
export function proposeThreshold(input: {
  intent: string;
  current: number;
  samples: ThresholdSample[];
  settings: LearningSettings;
  pinnedBy?: 'admin' | 'playbook';
  budget?: number;
}): Proposal {
  const { intent, current, samples, settings: s } = input;
  const atCurrent = evidenceAt(samples, current);
  const hold = (reason: Proposal['reason']): Proposal => ({
    intent,
    current,
    proposed: current,
    action: 'hold',
    reason,
    atCurrent,
    atProposed: atCurrent,
  });
  if (input.pinnedBy === 'admin' || s.pinnedIntents.includes(intent)) return hold('pinned');
  if (input.pinnedBy === 'playbook') return hold('playbook_threshold');
  const isSafe = (e: Evidence) => e.n >= s.minSamples && e.wilsonLower > s.targetSuccess;
  const levels = [...new Set(samples.map((x) => x.confidence))]
    .filter((c) => c >= s.floor && c <= s.ceiling)
    .sort((a, b) => a - b);
  const safe = levels.map((c) => evidenceAt(samples, c)).filter(isSafe);
  const belowTarget = (e: Evidence) => e.n >= s.minSamples && wilsonUpper(e.successes, e.n) < s.targetSuccess;
  if (belowTarget(atCurrent)) {
    const above = safe.find((e) => e.at > current);
    const to = above ?? evidenceAt(samples, Math.max(current, s.ceiling));
    if (to.at <= current) return hold('success_below_target');
    return {
      intent,
      current,
      proposed: to.at,
      action: 'raise',
      reason: 'success_below_target',
      atCurrent,
      atProposed: to,
    };
  }
  const below = safe.filter((e) => e.at < current);
  if (!below.length)
    return hold(atCurrent.n < s.minSamples && !safe.length ? 'too_few_samples' : 'at_lowest_safe_threshold');
  const budget = Math.max(0, Math.min(s.maxStep, input.budget ?? s.maxStep));
  if (budget <= 1e-9) return { ...hold('step_used_today'), safeLevel: below[0]! };
  // the capped step toward the lowest safe level, unless the evidence at the level it reaches says it falls short
  // (then the lowest safe level within the step)
  const reach = roundUp(Math.max(below[0]!.at, current - budget, s.floor));
  const atReach = evidenceAt(samples, reach);
  const to = reach < current && !belowTarget(atReach) ? atReach : below.find((e) => e.at >= current - budget - 1e-9);
  if (!to) return { ...hold('at_lowest_safe_threshold'), safeLevel: below[0]! };
  return {
    intent,
    current,
    proposed: to.at,
    action: 'lower',
    reason: 'safe_lower_threshold',
    atCurrent,
    atProposed: to,
    safeLevel: below[0]!,
  };
}

/** The key of the workspace's default threshold in proposals and `pinnedIntents`. */
export const WORKSPACE_LEVEL = '*';

/** A tuning run's outcome: the thresholds to apply, and every proposal with its evidence. */
export interface ThresholdPlan {
  /** The workspace's default threshold: the starting threshold of every intent without evidence of its own; the tuner
   * never moves it. */
  defaultThreshold: number;
  /** Per-intent thresholds: every intent with evidence of its own has one. */
  intentThresholds: Record<string, number>;
  /** The workspace level (intent `*`, all evidence pooled, for information: it moves nothing) first, then each intent.
   */
  proposals: Proposal[];
  /** Proposals that change a threshold in force. */
  changes: Proposal[];
}

/**
 * Plans a tuning run (pure). Each intent moves on its own evidence only (its answers, and its handed-off
 * tickets whose intent a person set): once it has any, it gets its own threshold, starting from the default
 * and moving by {@link proposeThreshold} — down at most `maxStep` a day (`loweredToday`: how far each intent
 * already came down in the last 24 hours), up at once on failure. The default (the starting threshold) only
 * applies to intents without evidence, and pooled evidence never moves it nor any intent: an intent nobody
 * has watched never answers below the starting threshold. Playbook thresholds and admin pins hold.
 */
export function planThresholds(input: {
  defaultThreshold: number;
  intentThresholds: Record<string, number>;
  samples: Map<string, ThresholdSample[]>;
  settings: LearningSettings;
  playbookThresholds?: Map<string, number>;
  loweredToday?: Record<string, number>;
}): ThresholdPlan {
  const { settings, defaultThreshold } = input;
  const pooled = [...input.samples.values()].flat();
  const atDefault = evidenceAt(pooled, defaultThreshold);
  const top: Proposal = {
    intent: WORKSPACE_LEVEL,
    current: defaultThreshold,
    proposed: defaultThreshold,
    action: 'hold',
    reason: settings.pinnedIntents.includes(WORKSPACE_LEVEL) ? 'pinned' : 'starting_threshold',
    atCurrent: atDefault,
    atProposed: atDefault,
  };
  const intentThresholds: Record<string, number> = {};
  const proposals: Proposal[] = [top];
  const changes: Proposal[] = [];
  const intents = [...new Set([...Object.keys(input.intentThresholds), ...input.samples.keys()])].sort();
  for (const intent of intents) {
    const own = input.intentThresholds[intent];
    const samples = input.samples.get(intent) ?? [];
    const playbook = input.playbookThresholds?.get(intent);
    const current = playbook ?? own ?? defaultThreshold;
    const budget = settings.maxStep - (input.loweredToday?.[intent] ?? 0);
    const p = proposeThreshold({
      intent,
      current,
      samples,
      settings,
      budget,
      ...(playbook !== undefined ? { pinnedBy: 'playbook' as const } : {}),
    });
    proposals.push(p);
    if (settings.pinnedIntents.includes(intent) || playbook !== undefined) {
      if (own !== undefined) intentThresholds[intent] = own;
      continue;
    }
    if (own !== undefined || samples.length) intentThresholds[intent] = p.proposed;
    if (p.action !== 'hold') changes.push(p);
  }
  return { defaultThreshold, intentThresholds, proposals, changes };
}

/**
 * How far each intent's threshold came down in the given tuning runs' changes (the runs of the last 24 hours),
 * so that the day's lowering stays within `maxStep` however often the tuner runs.
 */
export function loweredBy(runs: Proposal[][]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const run of runs)
    for (const c of run) if (c.action === 'lower') out[c.intent] = (out[c.intent] ?? 0) + (c.current - c.proposed);
  return out;
}

/** The learning settings of the context's workspace. */
export async function getLearningSettings(ctx: Ctx): Promise<LearningSettings> {
  return learningOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Changes the learning settings (pins included); logged as `settings.changed` with the old and new values. */
export async function updateLearningSettings(
  ctx: Ctx,
  patch: z.infer<typeof LearningSettingsPatchSchema>,
): Promise<LearningSettings> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = learningOf(ws.settings);
  const after = parseInput(LearningSettingsSchema, { ...before, ...patch });
  await ctx.db
    .update(workspaces)
    .set({ settings: { ...ws.settings, learning: after } })
    .where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, { section: 'learning', before, after });
  return after;
}

/**
 * The evidence of the lookback period, per intent: every answer the assistant sent (did it hold?) and,
 * with `handoffEvidence`, every ticket it did not answer whose intent a person then set (would its
 * prediction, at that confidence, have been right?) — the only evidence below the threshold in force.
 */
export async function samplesByIntent(ctx: Ctx, s: LearningSettings): Promise<Map<string, ThresholdSample[]>> {
  const now = ctx.now();
  const facts = await loadTicketFacts(ctx, { from: new Date(now.getTime() - s.lookbackDays * 86_400_000), to: now });
  const byIntent = new Map<string, ThresholdSample[]>();
  const add = (intent: string, sample: ThresholdSample) => {
    const list = byIntent.get(intent);
    if (list) list.push(sample);
    else byIntent.set(intent, [sample]);
  };
  for (const f of facts) {
    const verdict = classifyOutcome(f.timeline, { now, windowHours: s.windowHours });
    if (verdict) {
      if (!f.decided?.intent || f.decided.confidence === null || verdict.outcome === 'pending') continue;
      add(f.decided.intent, { confidence: f.decided.confidence, success: !FAILED_OUTCOMES.includes(verdict.outcome) });
      continue;
    }
    const label = s.handoffEvidence ? humanLabel(f) : null;
    if (label && f.predicted?.topIntent && f.predicted.confidence !== null)
      add(f.predicted.topIntent, {
        confidence: f.predicted.confidence,
        success: f.predicted.topIntent === label.intent,
      });
  }
  return byIntent;
}

/** The timeline entries of the workspace's threshold-tuning runs (`settings.changed`, section `thresholds.tuned`). */
const tuningRuns = (workspaceId: string) =>
  and(
    eq(events.workspaceId, workspaceId),
    eq(events.type, 'settings.changed'),
    sql`${events.data}->>'section' = 'thresholds.tuned'`,
  );

/** The workspace's thresholds in force and the tuning plan on the lookback's evidence. */
async function planFor(ctx: Ctx): Promise<{
  settings: LearningSettings;
  defaultThreshold: number;
  current: Record<string, number>;
  plan: ThresholdPlan;
}> {
  const [settings, autonomy] = [await getLearningSettings(ctx), await getAutonomy(ctx)];
  const samples = await samplesByIntent(ctx, settings);
  const playbookThresholds = new Map(
    (
      await ctx.db
        .select({ intent: playbooks.intent, threshold: playbooks.threshold })
        .from(playbooks)
        .where(and(eq(playbooks.workspaceId, ctx.workspaceId), isNotNull(playbooks.threshold)))
    ).map((p) => [p.intent, p.threshold!]),
  );
  const since = new Date(ctx.now().getTime() - 86_400_000);
  const runs = await ctx.db
    .select({ data: events.data })
    .from(events)
    .where(and(tuningRuns(ctx.workspaceId), sql`${events.createdAt} > ${since}`));
  const loweredToday = loweredBy(
    runs.map((r) =>
      z
        .array(ProposalSchema)
        .catch([])
        .parse((r.data as { changes?: unknown }).changes),
    ),
  );
  const plan = planThresholds({
    defaultThreshold: autonomy.defaultThreshold,
    intentThresholds: autonomy.intentThresholds,
    samples,
    settings,
    playbookThresholds,
    loweredToday,
  });
  const intents = [...new Set([...Object.keys(autonomy.intentThresholds), ...samples.keys()])].sort();
  const current = Object.fromEntries(
    intents.map((i) => [i, thresholdFor(autonomy, i, playbookThresholds.get(i) ?? null)]),
  );
  return { settings, defaultThreshold: autonomy.defaultThreshold, current, plan };
}

/**
 * Thresholds in force and what the tuner would do: the workspace level (intent `*`, the default
 * threshold, with all intents' evidence pooled for information) first, then each intent, with the evidence.
 */
export async function proposeThresholds(ctx: Ctx): Promise<{
  settings: LearningSettings;
  defaultThreshold: number;
  current: Record<string, number>;
  proposals: Proposal[];
}> {
  const { settings, defaultThreshold, current, plan } = await planFor(ctx);
  return { settings, defaultThreshold, current, proposals: plan.proposals };
}

/**
 * Tunes the workspace's thresholds: applies the plan's per-intent thresholds to the autonomy settings
 * (when they differ from those in force), logged with before and after (`settings.changed {section: 'autonomy'}`),
 * records the run with
 * its evidence (`settings.changed {section: 'thresholds.tuned'}`), and returns the changes. Call inside a
 * transaction.
 *
 * @example const { changes } = await desk.tx(wsId, systemActor, (ctx) => tuneThresholds(ctx));
 */
export async function tuneThresholds(ctx: Ctx): Promise<{ changes: Proposal[]; proposals: Proposal[] }> {
  const { plan } = await planFor(ctx);
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = autonomyOf(ws.settings);
  const sameKeys = (a: Record<string, number>, b: Record<string, number>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
  if (!sameKeys(before.intentThresholds, plan.intentThresholds)) {
    const after = { ...before, intentThresholds: plan.intentThresholds };
    await ctx.db
      .update(workspaces)
      .set({ settings: { ...ws.settings, autonomy: after } })
      .where(eq(workspaces.id, ctx.workspaceId));
    await appendEvent(ctx, 'settings.changed', null, { section: 'autonomy', before, after });
  }
  await appendEvent(ctx, 'settings.changed', null, { section: 'thresholds.tuned', changes: plan.changes });
  // The answer judgement learns from the same outcomes.
  const settings = await getLearningSettings(ctx);
  await refitAnswerJudge(ctx, { lookbackDays: settings.lookbackDays, windowHours: settings.windowHours });
  return { changes: plan.changes, proposals: plan.proposals };
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
    .where(tuningRuns(ctx.workspaceId))
    .orderBy(desc(events.id))
    .limit(1);
  if (last && ctx.now().getTime() - last.createdAt.getTime() < everyHours * 3_600_000) return null;
  const { changes } = await tuneThresholds(ctx);
  return { changes };
}
