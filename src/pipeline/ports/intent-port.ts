import type { Database, DbOrTx } from '../../store/db.js';
import { IntentClassifier, type IntentPrediction, type LabelledExample } from '../../nlp/intent/index.js';
import type { SentenceVectors } from '../../nlp/intent/model.js';
import type { SentenceEncoder } from '../../nlp/encoder.js';
import type { IntentReading } from '../../domain/stage-results.js';
import { starterExamples } from '../../nlp/taxonomy.js';
import { onceInRun } from '../../store/config-cache.js';
import { latestModelVersion, loadModel, saveModel } from '../../learning/models.js';

export const INTENT_MODEL_KIND = 'intent';

/** A workspace's model with the out-of-scope confidence fitted on its own labels (null: the classifier's own decision).
 */
export interface WorkspaceModel {
  version: number;
  model: IntentClassifier;
  oosConfidence: number | null;
}

const oosOf = (metrics: unknown): number | null => {
  const c = (metrics as { outOfScope?: { confidence?: unknown } } | null)?.outOfScope?.confidence;
  return typeof c === 'number' ? c : null;
};

/**
 * The prediction under the workspace's out-of-scope decision: a top intent the classifier called out of scope
 * is in scope when its confidence reaches the confidence fitted on the workspace's own labels
 * (`fitWorkspaceOos`), with the reason in `scopeAdjusted`.
 */
export function inScopeByWorkspace(
  prediction: IntentPrediction,
  oosConfidence: number | null,
): { prediction: IntentPrediction; scopeAdjusted: string | null } {
  if (
    oosConfidence === null ||
    !prediction.outOfScope ||
    !prediction.topIntent ||
    prediction.confidence < oosConfidence
  )
    return { prediction, scopeAdjusted: null };
  return {
    prediction: { ...prediction, intent: prediction.topIntent, outOfScope: false },
    scopeAdjusted:
      `confidence ${prediction.confidence.toFixed(2)} reaches the workspace's out-of-scope ` +
      `confidence ${oosConfidence} (fitted on its own labels): ${prediction.topIntent} is in scope`,
  };
}

/**
 * Reads an ask with a workspace's model: by its words, and — for a model trained with sentence vectors whose words
 * alone do not reach the intent's threshold (or with no threshold given) — with the ask's vector too, encoded only
 * then. If the encoder fails, the words' reading stands.
 */
export async function readIntent(
  model: IntentClassifier,
  text: string,
  opts: {
    encoder: SentenceEncoder | null;
    threshold?: ((intent: string | null) => number) | undefined;
    onEncoderError?: (err: unknown) => void;
  },
): Promise<{ prediction: IntentPrediction; reading: IntentReading }> {
  const words = model.predict(text);
  const byWords = (detail: string) => ({
    prediction: words,
    reading: { by: 'words' as const, encoder: null, detail: `read by its words${detail}` },
  });
  const { encoder } = opts;
  if (!encoder || model.sentenceEncoderId !== encoder.id)
    return byWords(
      model.sentenceEncoderId
        ? ' (sentence vectors are off: DESKMIND_INTENT_SENTENCE)'
        : ' (the model was trained without sentence vectors)',
    );
  const bar = words.intent && opts.threshold ? opts.threshold(words.intent) : null;
  if (bar !== null && words.confidence >= bar)
    return byWords(`: ${words.intent} at ${words.confidence.toFixed(2)} reaches its threshold ${bar}`);
  const vector = await encoder
    .embed([text])
    .then((v) => v[0] ?? null)
    .catch((err: unknown) => {
      opts.onEncoderError?.(err);
      return null;
    });
  if (!vector) return byWords(': the sentence encoder failed');
  return {
    prediction: model.predict(text, vector),
    reading: {
      by: 'words_and_meaning',
      encoder: encoder.id,
      detail:
        `read by its words and its meaning (${encoder.id}): ` +
        (words.intent
          ? `the words alone gave ${words.intent} at ${words.confidence.toFixed(2)}`
          : 'the words alone were out of scope'),
    },
  };
}

let starter: { buffer: Uint8Array; trainSeconds: number; labels: number; examples: number } | undefined;

/**
 * Keeps each workspace's latest intent classifier in memory and reloads it when a newer version is stored
 * (by this process or another one).
 */
export class IntentModels {
  private readonly cache = new Map<string, WorkspaceModel>();

  constructor(private readonly database: Database) {}

  /**
   * The latest classifier of a workspace and its version, or null when it has none. Through a run's handle
   * (`withConfigVersion`), tickets decided together use the version that was latest when their run started.
   */
  async get(workspaceId: string, db: DbOrTx = this.database.db): Promise<WorkspaceModel | null> {
    const latest = await onceInRun(db, workspaceId, 'intent-model-version', () =>
      latestModelVersion(db, workspaceId, INTENT_MODEL_KIND),
    );
    if (latest === null) return null;
    const cached = this.cache.get(workspaceId);
    if (cached && cached.version === latest) return cached;
    const stored = await loadModel(this.database.db, workspaceId, INTENT_MODEL_KIND, latest);
    if (!stored) return null;
    const entry = {
      version: stored.version,
      model: IntentClassifier.fromBuffer(stored.data),
      oosConfidence: oosOf(stored.metrics),
    };
    this.cache.set(workspaceId, entry);
    return entry;
  }

  /** Trains a classifier on labelled examples and stores it as the workspace's next version. */
  async train(
    workspaceId: string,
    examples: LabelledExample[],
    metrics: Record<string, unknown> = {},
    sentence: SentenceVectors | null = null,
  ): Promise<{ version: number; model: IntentClassifier; seconds: number }> {
    const started = performance.now();
    const model = IntentClassifier.train(examples, {}, sentence);
    const seconds = (performance.now() - started) / 1000;
    const version = await this.save(workspaceId, model, {
      ...metrics,
      examples: examples.length,
      labels: model.labels.length,
      trainSeconds: seconds,
    });
    return { version, model, seconds };
  }

  /**
   * Stores a classifier as the next version. A version made from the last one (an online update, a retrain)
   * keeps its out-of-scope confidence unless `metrics.outOfScope` says otherwise (null: none).
   */
  async save(workspaceId: string, model: IntentClassifier, metrics: Record<string, unknown>): Promise<number> {
    const previous = this.cache.get(workspaceId);
    if (!('outOfScope' in metrics) && previous?.oosConfidence != null)
      metrics = { ...metrics, outOfScope: { confidence: previous.oosConfidence, carriedFrom: previous.version } };
    const version = await saveModel(this.database.db, workspaceId, INTENT_MODEL_KIND, model.toBuffer(), metrics);
    this.cache.set(workspaceId, { version, model, oosConfidence: oosOf(metrics) });
    return version;
  }

  /** Gives a workspace without a model the starter SaaS-support model (trained once per process). */
  async ensureStarter(workspaceId: string): Promise<void> {
    if ((await latestModelVersion(this.database.db, workspaceId, INTENT_MODEL_KIND)) !== null) return;
    starter ??= (() => {
      const started = performance.now();
      const model = IntentClassifier.train(starterExamples().map(({ text, label }) => ({ text, label })));
      return {
        buffer: model.toBuffer(),
        trainSeconds: (performance.now() - started) / 1000,
        labels: model.labels.length,
        examples: model.size,
      };
    })();
    const model = IntentClassifier.fromBuffer(starter.buffer);
    await this.save(workspaceId, model, {
      source: 'starter-taxonomy',
      labels: starter.labels,
      trainedOn: starter.examples,
      trainSeconds: starter.trainSeconds,
    });
  }
}
