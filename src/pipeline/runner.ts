/**
 * The stage loop: the stages in order, run on one ticket with their timeouts, each recorded as a decision. The
 * batches and waves of tickets it runs on are scheduled in run-batch.ts.
 */
import type { Database, DbOrTx } from '../store/db.js';
import type { BatchRouting } from './ports/batch.js';
import { decideStage } from './stages/decide.js';
import { enrichStage } from './stages/enrich.js';
import { resolveStage } from './stages/resolve.js';
import { retrieveStage } from './stages/retrieve.js';
import { routeStage } from './stages/route.js';
import { understandStage } from './stages/understand.js';
import type { DecidedRun, PipelineInput, PipelineJobRef, PipelinePorts, Stage, StageOutcomes } from './types.js';

/** The stages in order. */
export const DEFAULT_STAGES: Stage[] = [
  enrichStage,
  understandStage,
  retrieveStage,
  decideStage,
  resolveStage,
  routeStage,
];

export interface RunnerDeps {
  database: Database;
  /**
   * The stages' ports, or how to make them over a database handle: a run then gets ports that read through
   * its own handle, and so see configuration at its version (`withConfigVersion`).
   */
  ports: PipelinePorts | ((db: DbOrTx) => PipelinePorts);
  stages?: Stage[];
  now?: () => Date;
  /** Longest a stage may take before it counts as failed (the ticket then goes to a human). */
  stageTimeoutMs?: number;
}

export interface PipelineRun {
  runId: string;
  outcomes: StageOutcomes;
  failedStage: string | null;
  /** The decision record of the run, stage by stage. */
  records: {
    stage: string;
    ok: boolean;
    result: Record<string, unknown>;
    modelVersion?: string | null | undefined;
    durationMs?: number | undefined;
  }[];
}

function withTimeout<T>(promise: Promise<T>, ms: number, stage: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stage ${stage} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Runs the stages on one ticket: each stage's outcome and record, and the actions to apply. A stage that reads
 * what the batch's earlier tickets changed (`exclusive`) runs for one ticket at a time, and a stage's `overlay`
 * gives the later stages their input.
 */
export async function decideRun(
  deps: RunnerDeps,
  ports: PipelinePorts,
  routing: BatchRouting,
  stages: Stage[],
  job: PipelineJobRef,
  loaded: PipelineInput,
): Promise<DecidedRun> {
  const now = deps.now ?? (() => new Date());
  let input = loaded;
  // A stage's name says which result it gives (`Stage<N>`): later stages read the record by stage.
  const outcomes: StageOutcomes = {};
  const records: DecidedRun['records'] = [];
  let failedStage: string | null = null;
  for (const stage of stages) {
    const started = performance.now();
    const runStage = () => withTimeout(stage.run(input, outcomes, ports), deps.stageTimeoutMs ?? 10_000, stage.name);
    try {
      const outcome = stage.exclusive
        ? await routing.exclusive(async () => {
            const o = await runStage();
            // The batch's later tickets are routed with this one's assignment counted.
            for (const a of o.actions ?? []) routing.assigned(a);
            return o;
          })
        : await runStage();
      outcomes[stage.name] = outcome;
      if (stage.overlay) input = stage.overlay(input, outcome.result);
      records.push({
        workspaceId: job.workspaceId,
        ticketId: job.ticketId,
        runId: job.runId,
        stage: stage.name,
        ok: true,
        result: outcome.result,
        modelVersion: outcome.modelVersion ?? null,
        durationMs: performance.now() - started,
        createdAt: now(),
      });
    } catch (err) {
      failedStage = stage.name;
      const message = err instanceof Error ? err.message : String(err);
      records.push({
        workspaceId: job.workspaceId,
        ticketId: job.ticketId,
        runId: job.runId,
        stage: stage.name,
        ok: false,
        result: { error: message },
        durationMs: performance.now() - started,
        createdAt: now(),
      });
      break;
    }
  }
  const actions = Object.values(outcomes).flatMap((o) => o?.actions ?? []);
  if (failedStage) {
    // Keep what was understood (intent, priority) but hand the ticket to a human.
    const kept = actions.filter((a) => a.type !== 'hand_off');
    actions.length = 0;
    actions.push(...kept, { type: 'hand_off', reason: 'ai_error', detail: `stage ${failedStage} failed` });
  }
  return { job, input, outcomes, records, failedStage, actions };
}
