import type { Database, DbOrTx } from '../store/db.js';
import { IntentClassifier, type LabelledExample } from '../nlp/intent/index.js';
import { starterExamples } from '../nlp/taxonomy.js';
import { onceInRun } from '../store/config-cache.js';
import { latestModelVersion, loadModel, saveModel } from '../services/models.js';

export const INTENT_MODEL_KIND = 'intent';

let starter: { buffer: Uint8Array; trainSeconds: number; labels: number; examples: number } | undefined;

/**
 * Keeps each workspace's latest intent classifier in memory and reloads it when a newer version is stored
 * (by this process or another one).
 */
export class IntentModels {
  private readonly cache = new Map<string, { version: number; model: IntentClassifier }>();

  constructor(private readonly database: Database) {}

  /**
   * The latest classifier of a workspace and its version, or null when it has none. Through a run's handle
   * (`withConfigVersion`), tickets decided together use the version that was latest when their run started.
   */
  async get(workspaceId: string, db: DbOrTx = this.database.db): Promise<{ version: number; model: IntentClassifier } | null> {
    const latest = await onceInRun(db, workspaceId, 'intent-model-version', () => latestModelVersion(db, workspaceId, INTENT_MODEL_KIND));
    if (latest === null) return null;
    const cached = this.cache.get(workspaceId);
    if (cached && cached.version === latest) return cached;
    const stored = await loadModel(this.database.db, workspaceId, INTENT_MODEL_KIND, latest);
    if (!stored) return null;
    const entry = { version: stored.version, model: IntentClassifier.fromBuffer(stored.data) };
    this.cache.set(workspaceId, entry);
    return entry;
  }

  /** Trains a classifier on labelled examples and stores it as the workspace's next version. */
  async train(workspaceId: string, examples: LabelledExample[], metrics: Record<string, unknown> = {}): Promise<{ version: number; model: IntentClassifier; seconds: number }> {
    const started = performance.now();
    const model = IntentClassifier.train(examples);
    const seconds = (performance.now() - started) / 1000;
    const version = await this.save(workspaceId, model, { ...metrics, examples: examples.length, labels: model.labels.length, trainSeconds: seconds });
    return { version, model, seconds };
  }

  /** Stores a classifier as the next version. */
  async save(workspaceId: string, model: IntentClassifier, metrics: Record<string, unknown>): Promise<number> {
    const version = await saveModel(this.database.db, workspaceId, INTENT_MODEL_KIND, model.toBuffer(), metrics);
    this.cache.set(workspaceId, { version, model });
    return version;
  }

  /** Gives a workspace without a model the starter SaaS-support model (trained once per process). */
  async ensureStarter(workspaceId: string): Promise<void> {
    if ((await latestModelVersion(this.database.db, workspaceId, INTENT_MODEL_KIND)) !== null) return;
    starter ??= (() => {
      const started = performance.now();
      const model = IntentClassifier.train(starterExamples().map(({ text, label }) => ({ text, label })));
      return { buffer: model.toBuffer(), trainSeconds: (performance.now() - started) / 1000, labels: model.labels.length, examples: model.size };
    })();
    const model = IntentClassifier.fromBuffer(starter.buffer);
    await this.save(workspaceId, model, { source: 'starter-taxonomy', labels: starter.labels, trainedOn: starter.examples, trainSeconds: starter.trainSeconds });
  }
}
