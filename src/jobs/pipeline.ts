import { randomUUID } from 'node:crypto';
import { integrationSources } from '../connectors/sources.js';
import { inScopeByWorkspace, readIntent } from '../pipeline/ports/intent-port.js';
import { resolutionPorts } from '../pipeline/ports/resolution-ports.js';
import { runPipeline, runPipelineBatch } from '../pipeline/run-batch.js';
import type { RunnerDeps } from '../pipeline/runner.js';
import type { PipelinePorts, PipelineTrigger } from '../pipeline/types.js';
import { dbRoutingPort } from '../routing/port.js';
import type { DbOrTx } from '../store/db.js';
import type { JobDeps } from './deps.js';
import { queueTopics } from './topics.js';
import { PIPELINE_BATCH_SIZE, pipelineJob } from './queue.js';

type PortDeps = Pick<
  JobDeps,
  | 'config'
  | 'now'
  | 'intentModels'
  | 'intentMemory'
  | 'logger'
  | 'embedder'
  | 'passageVectors'
  | 'sentenceEncoder'
  | 'llm'
  | 'outbound'
>;

/** The pipeline's ports, reading through `db` (a run's handle: they then see its configuration version). */
export function pipelinePorts(deps: PortDeps, db: DbOrTx): PipelinePorts {
  const database = { db };
  return {
    predictIntent: async (workspaceId, text, opts) => {
      const entry = await deps.intentModels.get(workspaceId, db);
      if (!entry) return null;
      const threshold = opts?.threshold;
      const { reading, ...read } = await readIntent(entry.model, text, {
        encoder: deps.sentenceEncoder,
        threshold,
        onEncoderError: (err) =>
          deps.logger.warn({ err, workspaceId }, 'sentence encoder failed; the intent is read by its words'),
      });
      const { prediction, scopeAdjusted } = inScopeByWorkspace(read.prediction, entry.oosConfidence);
      // the memory only adds evidence: if it fails (the encoder cannot load), the model's reading stands
      const recalled =
        threshold && deps.intentMemory
          ? await deps.intentMemory
              .consult(db, workspaceId, text, entry.model, prediction, threshold(prediction.topIntent))
              .catch((err: unknown) => {
                deps.logger.warn({ err, workspaceId }, 'intent memory failed; the model alone decides');
                return null;
              })
          : null;
      const modelVersion = `intent@${entry.version}`;
      return {
        prediction: recalled?.prediction ?? prediction,
        modelVersion,
        scopeAdjusted,
        memory: recalled?.record ?? null,
        reading,
      };
    },
    ...resolutionPorts({
      database,
      embedder: deps.embedder,
      passageVectors: deps.passageVectors,
      llm: deps.llm,
      llmJudge: deps.config.llmJudge,
      now: deps.now,
      fetch: deps.outbound.fetch,
    }),
    routing: dbRoutingPort(database),
    enrichmentSources: integrationSources({ database, config: deps.config, now: deps.now }),
  };
}

/** What the runner needs: the database, the ports over a run's handle, the clock. */
export function pipelineRunner(deps: PortDeps & Pick<JobDeps, 'database'>): RunnerDeps {
  return { database: deps.database, ports: (db) => pipelinePorts(deps, db), now: deps.now };
}

/** Runs the pipeline of one ticket now, in this process (`replay`, tests; the job runs batches). */
export function runPipelineNow(
  deps: Parameters<typeof pipelineRunner>[0],
  workspaceId: string,
  ticketId: string,
  trigger: PipelineTrigger,
  runId: string = randomUUID(),
) {
  return runPipeline(pipelineRunner(deps), workspaceId, ticketId, trigger, runId);
}

/** Decides a ticket again with today's models and settings, without changing anything (replay). */
export function replayDecision(deps: Parameters<typeof pipelineRunner>[0], workspaceId: string, ticketId: string) {
  return runPipeline(pipelineRunner(deps), workspaceId, ticketId, 'replay', `replay-${randomUUID()}`, { dryRun: true });
}

/**
 * Queues the pipeline outside any transaction (the sweep's re-runs); if queueing fails the sweep picks the
 * ticket up later, so it is never stuck. Ways in queue it in their own transaction instead (src/ingest).
 */
export async function queuePipeline(
  deps: Pick<JobDeps, 'jobs' | 'logger'>,
  workspaceId: string,
  ticketId: string,
  trigger: PipelineTrigger,
): Promise<string | null> {
  try {
    return await deps.jobs.enqueuePipeline({ workspaceId, ticketId, trigger });
  } catch (err) {
    deps.logger.error({ err, ticketId }, 'could not queue the pipeline; the sweep will retry');
    return null;
  }
}

/** Runs the pipeline jobs in this process, PIPELINE_BATCH_SIZE tickets decided at once per loop. */
export async function workPipelines(deps: JobDeps): Promise<void> {
  const runner = pipelineRunner(deps);
  await deps.jobs.workBatch(
    pipelineJob,
    { concurrency: deps.config.workerConcurrency, batchSize: PIPELINE_BATCH_SIZE },
    async (jobs) => {
      const runs = await runPipelineBatch(
        runner,
        jobs.map((j) => j.data),
      );
      // The decided tickets join their topics in the background (they wait for it in insight_topic_pending).
      const decided = new Set(jobs.filter((_j, i) => !(runs[i] instanceof Error)).map((j) => j.data.workspaceId));
      for (const workspaceId of decided) await queueTopics(deps, workspaceId);
      return runs.map((r) => (r instanceof Error ? r : null));
    },
  );
}
