/**
 * Background retraining: the workspace's intent model retrained from scratch on the labels it holds (a sample
 * by intent when they are many), promoted only when it does at least as well as the live model on a held-out
 * window of recent human labels. Online updates learn each label within seconds but lag a batch fit; the retrain
 * catches up.
 */
import { and, desc, eq } from 'drizzle-orm';
import { INTENT_MODEL_KIND, type IntentModels } from '../pipeline/ports/intent-port.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { articleExamples, labelledTickets } from './training.js';
import { events, models } from '../store/schema.js';
import { stageDecisions } from '../store/repos/decisions.js';
import type { SentenceEncoder } from '../nlp/encoder.js';
import { storedSentenceVectors } from './sentence-vectors.js';
import {
  heldExamples,
  type LiveHistory,
  RETRAIN_SPAN,
  retrainDue,
  type stratifiedWindow,
  type WindowLabel,
} from './retrain-guard.js';
import { IntentClassifier } from '../nlp/intent/index.js';
import { lastTrainedModel } from './models.js';
import { retrainInWorker } from './retrain-thread.js';
import { getLearningSettings } from './thresholds.js';
import { sampleNewest, type TRAINING_SAMPLE_MAX } from './label-sample.js';

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
    .where(
      and(eq(models.workspaceId, ctx.workspaceId), eq(models.kind, INTENT_MODEL_KIND), eq(models.version, version)),
    )
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
  return retrainDue(
    current.model.size,
    Math.max(trainedOnOf(await versionMetrics(ctx, current.version)), triedOn),
    settings,
  );
}

/**
 * The newest human labels (at most {@link RETRAIN_SPAN}, oldest first) on tickets the assistant predicted,
 * with whether its first prediction was right: what the window a retrain is judged on is drawn from
 * ({@link stratifiedWindow}).
 */
export async function guardWindow(ctx: Ctx, limit = RETRAIN_SPAN): Promise<WindowLabel[]> {
  const labelled = await labelledTickets(ctx, limit);
  if (!labelled.length) return [];
  const recs = await stageDecisions(
    ctx.db,
    'understand',
    { workspaceId: ctx.workspaceId, ticketIds: labelled.map((l) => l.id) },
    'oldest',
  );
  const first = new Map<string, string | null>();
  for (const r of recs) {
    if (first.has(r.ticketId)) continue;
    first.set(r.ticketId, r.result.intent?.topIntent ?? null);
  }
  return labelled
    .filter((l) => first.has(l.id))
    .slice(0, limit)
    .map((l) => ({ text: l.text, label: l.label, liveRight: first.get(l.id) === l.label }))
    .reverse();
}

/**
 * The live model's history for the retrain guard: its newest trained version (a retrain or a first training, kept
 * with its weights by the compaction) and the labels it learned online since, in order. Null when that version is
 * not what the live model grew from (its examples are not the start of the live model's) or has no weights: the
 * guard then judges the live model by what it predicted when each ticket arrived.
 */
export async function liveHistory(ctx: Ctx, live: IntentClassifier): Promise<LiveHistory | null> {
  const stored = await lastTrainedModel(ctx.db, ctx.workspaceId, INTENT_MODEL_KIND);
  if (!stored) return null;
  const base = IntentClassifier.fromBuffer(stored.data);
  const core = base.core;
  const held = heldExamples(live);
  if (core.texts.length > held.length) return null;
  for (let i = 0; i < core.texts.length; i++)
    if (core.texts[i] !== held[i]!.text || core.labels[core.exLabel[i]!] !== held[i]!.label) return null;
  return { base, online: held.slice(core.texts.length) };
}

export type RetrainResult =
  | {
      status: 'promoted';
      version: number;
      fromVersion: number;
      examples: number;
      window: number;
      before: number | null;
      after: number | null;
      seconds: number;
    }
  | {
      status: 'rejected';
      fromVersion: number;
      examples: number;
      window: number;
      before: number;
      after: number;
      seconds: number;
    }
  | { status: 'skipped'; reason: string };

/**
 * Retrains the workspace's intent model from scratch on the labels it holds (its training set and every
 * label learned online since; above {@link TRAINING_SAMPLE_MAX}, a sample of the newest of each intent with rare
 * intents whole, recorded as `sample` with the model and its event) and on what the published articles say they
 * answer ({@link articleExamples}), with the examples' sentence vectors when `encoder` is given, judged by
 * {@link retrainWithGuard} on recent human labels neither model trained on (the live model rebuilt from its last
 * training without them, {@link liveHistory}). A promoted
 * model also learns the labels that arrived while it trained, and becomes the next version
 * (`model.retrained`); a rejected one is logged (`model.retrain_rejected`) and dropped. The `retrain-intents`
 * job runs this outside any transaction; the training runs in a worker thread ({@link retrainInWorker}), so the
 * process keeps serving while it takes seconds to minutes.
 */
export async function retrainIntentModel(
  ctx: Ctx,
  intentModels: IntentModels,
  /** The sentence encoder (`intentSentence` on): the model is retrained with its examples' vectors and reads by
   * meaning from then on, also when it read words alone before (a new workspace's first retrain). */
  encoder: SentenceEncoder | null = null,
): Promise<RetrainResult> {
  const current = await intentModels.get(ctx.workspaceId);
  if (!current) return { status: 'skipped', reason: 'the workspace has no intent model' };
  if (new Set(current.model.core.exLabel).size < 2)
    return { status: 'skipped', reason: 'the model holds fewer than two intents' };
  const window = await guardWindow(ctx);
  // bounded time and memory however many labels the model holds: the newest of each intent, rare intents whole
  const { examples: held, sample } = sampleNewest(heldExamples(current.model));
  // and what published articles say they answer, as `deskmind train` learns it (titles, headings, questions, and
  // their statements, trained on but not calibrated on), for phrases the model does not hold yet
  const articles = await articleExamples(ctx);
  // an article's statements stay out of the calibration slice when the model already holds them
  const statements = new Set(articles.filter((e) => e.calibrate === false).map((e) => e.text));
  const known = new Set(held.map((e) => e.text));
  const sampled = held.map((e) => (statements.has(e.text) ? { ...e, calibrate: false } : e));
  for (const e of articles) {
    if (known.has(e.text)) continue;
    known.add(e.text);
    sampled.push(e);
  }
  // With the encoder, the retrain learns from the examples' sentence vectors (stored per workspace: only texts not
  // yet encoded are), whatever the model read before; without it, from words alone, and it reads words alone then.
  // The guard judges the new kind of model like any other retrain.
  const sentence = encoder
    ? await storedSentenceVectors(ctx.db, ctx.workspaceId, encoder)(sampled.map((e) => e.text))
    : null;
  // in a worker thread: training takes seconds to minutes, and this process keeps serving meanwhile
  const r = await retrainInWorker(sampled, window, {}, undefined, sentence, await liveHistory(ctx, current.model));
  if (r.status === 'rejected') {
    await appendEvent(ctx, 'model.retrain_rejected', null, {
      fromVersion: current.version,
      labels: current.model.size,
      examples: r.examples,
      sample,
      window: r.window,
      before: r.before,
      after: r.after,
      seconds: r.seconds,
    });
    return {
      status: 'rejected',
      fromVersion: current.version,
      examples: r.examples,
      window: r.window,
      before: r.before,
      after: r.after,
      seconds: r.seconds,
    };
  }
  // labels learned online while the retrain ran
  const latest = await intentModels.get(ctx.workspaceId);
  const since =
    latest && latest.version !== current.version ? heldExamples(latest.model).slice(current.model.size) : [];
  for (const e of since) r.model.update(e);
  const examples = r.examples + since.length;
  const version = await intentModels.save(ctx.workspaceId, r.model, {
    source: 'retrain',
    trainedOn: examples,
    examples,
    fromVersion: latest?.version ?? current.version,
    sample,
    window: r.window,
    windowAccuracyBefore: r.before,
    windowAccuracyAfter: r.after,
    recalibration: r.recalibration,
    trainSeconds: r.seconds,
  });
  await appendEvent(ctx, 'model.retrained', null, {
    version,
    fromVersion: latest?.version ?? current.version,
    examples,
    sample,
    window: r.window,
    before: r.before,
    after: r.after,
    seconds: r.seconds,
  });
  return {
    status: 'promoted',
    version,
    fromVersion: latest?.version ?? current.version,
    examples,
    window: r.window,
    before: r.before,
    after: r.after,
    seconds: r.seconds,
  };
}
