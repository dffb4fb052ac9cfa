/**
 * The worker thread of {@link retrainInWorker}: runs {@link retrainWithGuard} on the examples and window it is
 * given and posts the outcome back, the promoted model as its serialised bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { IntentClassifier } from '../nlp/intent/index.js';
import { configureWordVectors } from '../nlp/intent/vectors.js';
import { retrainWithGuard } from './retrain-guard.js';
import type { RetrainThreadInput, RetrainThreadOutput } from './retrain-thread.js';

const input = workerData as RetrainThreadInput;
configureWordVectors(input.wordVectors);
const live = input.live ? { base: IntentClassifier.fromBuffer(input.live.base), online: input.live.online } : null;
const r = retrainWithGuard(input.examples, input.window, input.options, input.sentence, live);
const out: RetrainThreadOutput = r.status === 'promoted' ? { ...r, model: r.model.toBuffer() } : r;
parentPort!.postMessage(out, out.status === 'promoted' ? [out.model.buffer as ArrayBuffer] : []);
