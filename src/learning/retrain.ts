/**
 * Background retraining: the workspace's intent model retrained from scratch on every label it holds,
 * promoted only when it does at least as well as the live model on a held-out window of recent human
 * labels. Online updates learn each label within seconds but lag a batch fit; the retrain catches up.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { IntentClassifier, type LabelledExample, type Recalibration } from '../nlp/intent/index.js';
import { INTENT_MODEL_KIND, type IntentModels } from '../pipeline/intent-port.js';
import type { Ctx } from '../services/context.js';
import { appendEvent } from '../services/events.js';
import { labelledTickets } from '../services/training.js';
import { decisions, events, models } from '../store/schema.js';
import { getLearningSettings, type LearningSettings } from './thresholds.js';

/** Recent human labels held out of a retrain to judge it. */
export const RETRAIN_WINDOW = 200;
/** Smallest window worth judging a retrain by; with fewer the retrain is promoted unjudged. */
export const RETRAIN_WINDOW_MIN = 20;
/** The window is at most this share of the labels (the retrain must still learn from most of them). */
export const RETRAIN_WINDOW_SHARE = 0.1;
/** Largest accuracy drop on the window a retrain may show before it is rejected. */
export const RETRAIN_TOLERANCE = 0.02;

/**
 * Whether a retrain is due: at least `retrainMinLabels` human labels arrived since the model was last
 * trained, and they grew the labels it was trained on by `retrainGrowth` (so a large model is not
 * retrained for every handful of labels).
 *
 * @example retrainDue(1200, 1000, settings) // true with the defaults (200 ≥ max(100, 0.2 × 1000))
 */
export function retrainDue(labels: number, trainedOn: number, s: Pick<LearningSettings, 'retrainMinLabels' | 'retrainGrowth'>): boolean {
  const fresh = labels - trainedOn;
  return fresh >= s.retrainMinLabels && fresh >= s.retrainGrowth * trainedOn;
}

/** One label of the judging window and whether the live model got it right when the ticket arrived. */
export interface WindowLabel extends LabelledExample {
  /** The live model's top intent was this label when it first saw the ticket (prequential accuracy). */
  liveRight: boolean;
}

export type RetrainOutcome =
  | { status: 'promoted'; model: IntentClassifier; examples: number; window: number; before: number | null; after: number | null; recalibration: Recalibration | null; seconds: number }
  | { status: 'rejected'; examples: number; window: number; before: number; after: number; seconds: number };

/**
 * Retrains on `examples` (every label the model holds, oldest first; the latest copy of each window label is
 * held out) and judges it on the window: the newest of `recent` (oldest first), at most {@link RETRAIN_WINDOW}
 * and a tenth of the labels. It compares
 * the candidate's accuracy there against the live model's accuracy on the same tickets
 * when they arrived (a fair comparison: neither had seen the labels). A promoted candidate's confidences are
 * then recalibrated on the window ({@link IntentClassifier.recalibrate}: labels it never saw, so an overconfident
 * retrain comes down before it answers anyone and the thresholds keep meaning the same precision), and it learns
 * the window's labels online, so it holds every label. Pure and synchronous (CPU-bound: run it in a worker job).
 */
export function retrainWithGuard(examples: LabelledExample[], recent: WindowLabel[], options: { tolerance?: number; minWindow?: number } = {}): RetrainOutcome {
  const t0 = performance.now();
  const window = recent.slice(-Math.min(RETRAIN_WINDOW, Math.floor(examples.length * RETRAIN_WINDOW_SHARE)));
  const judged = window.length >= (options.minWindow ?? RETRAIN_WINDOW_MIN);
  // hold out one copy of each window label, the latest (an earlier duplicate stays: the live model had it too)
  const held = new Map<string, number>();
  if (judged) for (const w of window) held.set(`${w.label}\u0000${w.text}`, (held.get(`${w.label}\u0000${w.text}`) ?? 0) + 1);
  const train: LabelledExample[] = [];
  for (let i = examples.length - 1; i >= 0; i--) {
    const key = `${examples[i]!.label}\u0000${examples[i]!.text}`;
    const n = held.get(key) ?? 0;
    if (n > 0) held.set(key, n - 1);
    else train.push(examples[i]!);
  }
  train.reverse();
  const candidate = IntentClassifier.train(train.length ? train : examples);
  let before: number | null = null;
  let after: number | null = null;
  if (judged) {
    before = window.filter((w) => w.liveRight).length / window.length;
    after = window.filter((w) => candidate.predict(w.text).topIntent === w.label).length / window.length;
    if (after < before - (options.tolerance ?? RETRAIN_TOLERANCE)) {
      return { status: 'rejected', examples: train.length, window: window.length, before, after, seconds: (performance.now() - t0) / 1000 };
    }
  }
  const recalibration = judged ? candidate.recalibrate(window) : null;
  if (judged) for (const w of window) candidate.update({ text: w.text, label: w.label });
  return { status: 'promoted', model: candidate, examples: train.length + (judged ? window.length : 0), window: window.length, before, after, recalibration, seconds: (performance.now() - t0) / 1000 };
}

/** The labelled examples a classifier holds (its training set plus every label it learned online), oldest first. */
export function heldExamples(model: IntentClassifier): LabelledExample[] {
  const core = model.core;
  return core.texts.map((text, i) => ({ text, label: core.labels[core.exLabel[i]!]! }));
}

// ---- the product side: the sweep checks, the `retrain-intents` job retrains ----

/** How many labels the model was last trained on (carried along its online versions), else 0. */
export function trainedOnOf(metrics: Record<string, unknown> | undefined): number {
  const n = metrics?.trainedOn ?? metrics?.examples;
  return typeof n === 'number' ? n : 0;
}

/** The stored metrics of one version of the workspace's intent model. */
export async function versionMetrics(ctx: Ctx, version: number): Promise<Record<string, unknown>> {
  const [row] = await ctx.db
    .select({ metrics: models.metrics })
    .from(models)
    .where(and(eq(models.workspaceId, ctx.workspaceId), eq(models.kind, INTENT_MODEL_KIND), eq(models.version, version)))
    .limit(1);
  return row?.metrics ?? {};
}

/** Whether the workspace's model is due a background retrain (see {@link retrainDue}); for the sweep. */
export async function retrainIsDue(ctx: Ctx, intentModels: IntentModels): Promise<boolean> {
  const settings = await getLearningSettings(ctx);
  if (!settings.retrain) return false;
  const current = await intentModels.get(ctx.workspaceId);
  if (!current) return false;
  const [rejected] = await ctx.db
    .select({ data: events.data })
    .from(events)
    .where(and(eq(events.workspaceId, ctx.workspaceId), eq(events.type, 'model.retrain_rejected')))
    .orderBy(desc(events.id))
    .limit(1);
  // a rejected retrain is not tried again before as many new labels arrived as for a due one
  const triedOn = typeof rejected?.data.labels === 'number' ? rejected.data.labels : 0;
  return retrainDue(current.model.size, Math.max(trainedOnOf(await versionMetrics(ctx, current.version)), triedOn), settings);
}

/**
 * The newest human labels (at most {@link RETRAIN_WINDOW}, oldest first) on tickets the assistant predicted,
 * with whether its first prediction was right: the window a retrain is judged on.
 */
export async function guardWindow(ctx: Ctx, limit = RETRAIN_WINDOW): Promise<WindowLabel[]> {
  const labelled = await labelledTickets(ctx, limit * 2);
  if (!labelled.length) return [];
  const recs = await ctx.db
    .select({ ticketId: decisions.ticketId, result: decisions.result })
    .from(decisions)
    .where(and(eq(decisions.workspaceId, ctx.workspaceId), eq(decisions.stage, 'understand'), eq(decisions.ok, true), inArray(decisions.ticketId, labelled.map((l) => l.id))))
    .orderBy(asc(decisions.createdAt), asc(decisions.id));
  const first = new Map<string, string | null>();
  for (const r of recs) {
    if (first.has(r.ticketId)) continue;
    const p = r.result.intent as { topIntent?: string | null } | null | undefined;
    first.set(r.ticketId, p?.topIntent ?? null);
  }
  return labelled
    .filter((l) => first.has(l.id))
    .slice(0, limit)
    .map((l) => ({ text: l.text, label: l.label, liveRight: first.get(l.id) === l.label }))
    .reverse();
}

export type RetrainResult =
  | { status: 'promoted'; version: number; fromVersion: number; examples: number; window: number; before: number | null; after: number | null; seconds: number }
  | { status: 'rejected'; fromVersion: number; examples: number; window: number; before: number; after: number; seconds: number }
  | { status: 'skipped'; reason: string };

/**
 * Retrains the workspace's intent model from scratch on every label it holds (its training set and every
 * label learned online since), judged by {@link retrainWithGuard} on the newest human labels. A promoted
 * model also learns the labels that arrived while it trained, and becomes the next version
 * (`model.retrained`); a rejected one is logged (`model.retrain_rejected`) and dropped. The `retrain-intents`
 * job runs this outside any transaction (training takes seconds to minutes).
 */
export async function retrainIntentModel(ctx: Ctx, intentModels: IntentModels): Promise<RetrainResult> {
  const current = await intentModels.get(ctx.workspaceId);
  if (!current) return { status: 'skipped', reason: 'the workspace has no intent model' };
  if (new Set(current.model.core.exLabel).size < 2) return { status: 'skipped', reason: 'the model holds fewer than two intents' };
  const window = await guardWindow(ctx);
  const r = retrainWithGuard(heldExamples(current.model), window);
  if (r.status === 'rejected') {
    await appendEvent(ctx, 'model.retrain_rejected', null, { fromVersion: current.version, labels: current.model.size, examples: r.examples, window: r.window, before: r.before, after: r.after, seconds: r.seconds });
    return { status: 'rejected', fromVersion: current.version, examples: r.examples, window: r.window, before: r.before, after: r.after, seconds: r.seconds };
  }
  // labels learned online while the retrain ran
  const latest = await intentModels.get(ctx.workspaceId);
  const since = latest && latest.version !== current.version ? heldExamples(latest.model).slice(current.model.size) : [];
  for (const e of since) r.model.update(e);
  const examples = r.examples + since.length;
  const version = await intentModels.save(ctx.workspaceId, r.model, { source: 'retrain', trainedOn: examples, examples, fromVersion: latest?.version ?? current.version, window: r.window, windowAccuracyBefore: r.before, windowAccuracyAfter: r.after, recalibration: r.recalibration, trainSeconds: r.seconds });
  await appendEvent(ctx, 'model.retrained', null, { version, fromVersion: latest?.version ?? current.version, examples, window: r.window, before: r.before, after: r.after, seconds: r.seconds });
  return { status: 'promoted', version, fromVersion: latest?.version ?? current.version, examples, window: r.window, before: r.before, after: r.after, seconds: r.seconds };
}
