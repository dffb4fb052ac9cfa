import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Embedder } from '../knowledge/embedders.js';
import type { SentenceEncoder } from '../nlp/encoder.js';
import type { PassageVectors } from '../knowledge/passage-vectors.js';
import type { IntentMemories } from '../learning/intent-memory.js';
import type { IntentModels } from '../pipeline/ports/intent-port.js';
import type { LlmProvider } from '../resolution/llm.js';
import type { OutboundGuard } from '../security/outbound-url.js';
import type { Database } from '../store/db.js';
import type { JobQueue } from './queue.js';

/** What the jobs need of the desk (the composition root gives them this). */
export interface JobDeps {
  config: Config;
  database: Database;
  jobs: JobQueue;
  logger: Logger;
  now: () => Date;
  intentModels: IntentModels;
  /** The workspaces' memories of labelled tickets and article phrases (DESKMIND_INTENT_MEMORY; null: off). */
  intentMemory: IntentMemories | null;
  embedder: Embedder;
  /** Sentence vectors of passages for the answer check's semantic evidence (DESKMIND_ANSWER_SEMANTIC; null: off). */
  passageVectors: PassageVectors | null;
  /** The encoder that models trained with sentence vectors read each ask with (DESKMIND_INTENT_SENTENCE; null: off). */
  sentenceEncoder: SentenceEncoder | null;
  llm: LlmProvider | null;
  outbound: OutboundGuard;
}

/** Stops what a job started in this process (its timers). */
export type StopJob = () => void;
