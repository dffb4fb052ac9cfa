/**
 * Runs a retrain ({@link retrainWithGuard}) in a worker thread, so that the process that queued it keeps
 * serving (on Banking77 a retrain takes 30 s to two minutes of one core). The examples and window go to the
 * worker by structured clone; the promoted model comes back as its serialised bytes (transferred, not copied).
 */
import { startWorker } from '../ops/worker-thread.js';
import { IntentClassifier, type LabelledExample } from '../nlp/intent/index.js';
import { wordVectorSource } from '../nlp/intent/vectors.js';
import type { SentenceVectors } from '../nlp/intent/model.js';
import type { LiveHistory, RetrainOutcome, retrainWithGuard, WindowLabel } from './retrain-guard.js';

/** What the worker gets. */
export interface RetrainThreadInput {
  examples: LabelledExample[];
  window: WindowLabel[];
  options: { tolerance?: number; minWindow?: number };
  /** The word-vector source of this process, so that the worker's model reads the same vectors. */
  wordVectors: string;
  /** The examples' sentence vectors (same order), for a model that reads them; null: words alone. */
  sentence: SentenceVectors | null;
  /** The live model's last training (serialised) and the labels it learned online since; null: judged on arrival. */
  live: { base: Uint8Array; online: LabelledExample[] } | null;
}

/** What the worker posts back: the outcome, a promoted model as bytes. */
export type RetrainThreadOutput =
  | (Omit<Extract<RetrainOutcome, { status: 'promoted' }>, 'model'> & { model: Uint8Array })
  | Extract<RetrainOutcome, { status: 'rejected' }>;

/**
 * {@link retrainWithGuard} in a worker thread: the same outcome, without blocking this thread's event loop.
 * Rejects when the worker fails (the `retrain-intents` job then fails and is retried like any job).
 *
 * @example const r = await retrainInWorker(heldExamples(model), window); if (r.status === 'promoted')
 * r.model.predict('…')
 */
export function retrainInWorker(
  examples: LabelledExample[],
  window: WindowLabel[],
  options: RetrainThreadInput['options'] = {},
  /** A retrain still running after this long is stopped (its thread terminated) and fails. */
  timeoutMs = 50 * 60_000,
  sentence: SentenceVectors | null = null,
  live: LiveHistory | null = null,
): Promise<RetrainOutcome> {
  const input: RetrainThreadInput = {
    examples,
    window,
    options,
    wordVectors: wordVectorSource(),
    sentence,
    live: live ? { base: live.base.toBuffer(), online: live.online } : null,
  };
  return new Promise<RetrainOutcome>((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'retrain-worker', input);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`the retrain took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)));
      void worker.terminate();
    }, timeoutMs);
    worker.once('message', (out: RetrainThreadOutput) =>
      settle(() =>
        resolve(out.status === 'promoted' ? { ...out, model: IntentClassifier.fromBuffer(out.model) } : out),
      ),
    );
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`the retrain worker exited with code ${code} before answering`))),
    );
  });
}
