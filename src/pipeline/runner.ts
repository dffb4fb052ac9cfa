import { notFound } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { readConfigVersion, withConfigVersion } from '../store/config-cache.js';
import type { Database, DbOrTx } from '../store/db.js';
import { finishedRuns, runKey } from '../store/repos/decisions.js';
import { assistant } from './apply-actions.js';
import { asError, commitDecided } from './commit.js';
import { loadInputs } from './load-inputs.js';
import { batchRouting, sharedSources, type BatchRouting } from './ports/batch.js';
import { wavesOf } from './schedule.js';
import { decideStage } from './stages/decide.js';
import { enrichStage } from './stages/enrich.js';
import { resolveStage } from './stages/resolve.js';
import { retrieveStage } from './stages/retrieve.js';
import { routeStage } from './stages/route.js';
import { understandStage } from './stages/understand.js';
import type {
  DecidedRun,
  PipelineInput,
  PipelineJobRef,
  PipelinePorts,
  PipelineTrigger,
  Stage,
  StageOutcomes,
} from './types.js';

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

const emptyRun = (runId: string): PipelineRun => ({ runId, outcomes: {}, failedStage: null, records: [] });

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
async function decideRun(
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

/**
 * Runs the pipeline on one ticket. Each stage's result is stored in the decision record (once per run and
 * stage, so a retried job does not duplicate it). A failing stage stops the AI path and hands the ticket to
 * a human with the error in the record: a ticket is never lost or stuck.
 */
export async function runPipeline(
  deps: RunnerDeps,
  workspaceId: string,
  ticketId: string,
  trigger: PipelineTrigger,
  runId: string,
  opts: { dryRun?: boolean } = {},
): Promise<PipelineRun> {
  const [result] = await runPipelineBatch(deps, [{ workspaceId, ticketId, trigger, runId }], opts);
  if (result instanceof Error) throw result;
  return result!;
}

/**
 * Runs the pipeline on several tickets together (the jobs a worker fetched at once), with the same outcome as
 * running them one after another: their inputs are read in a few set-based statements, their stages run side
 * by side (routing one ticket at a time), and their records and actions are written in one transaction, which
 * falls back to one transaction per run when it fails, so one bad run never fails the others. A ticket that
 * appears twice runs again after its first run was written. Returns each job's run, or the error it failed with.
 */
export async function runPipelineBatch(
  deps: RunnerDeps,
  jobs: PipelineJobRef[],
  opts: { dryRun?: boolean } = {},
): Promise<(PipelineRun | Error)[]> {
  const results: (PipelineRun | Error)[] = new Array(jobs.length);
  const waves = wavesOf(jobs);
  for (const [workspaceId, list] of waves) {
    for (const wave of list) {
      try {
        // Configuration (settings, rules, teams, playbooks, the knowledge base's fingerprint) is read from
        // memory while the workspace's configuration version is the one read here.
        const version = await readConfigVersion(deps.database.db, workspaceId);
        const db = withConfigVersion(deps.database.db, workspaceId, version);
        const runs = await runWave(
          deps,
          db,
          workspaceId,
          wave.map((i) => jobs[i]!),
          opts,
        );
        wave.forEach((i, k) => (results[i] = runs[k]!));
      } catch (err) {
        for (const i of wave) results[i] = asError(err);
      }
    }
  }
  return results;
}

/** Runs one wave of distinct tickets of a workspace, reading through `db` (scoped to the configuration version). */
async function runWave(
  deps: RunnerDeps,
  db: DbOrTx,
  workspaceId: string,
  jobs: PipelineJobRef[],
  opts: { dryRun?: boolean },
): Promise<(PipelineRun | Error)[]> {
  const now = deps.now ?? (() => new Date());
  // A dry run (replay) decides again but neither replies, calls actions nor writes anything.
  const stages = (deps.stages ?? DEFAULT_STAGES).filter((s) => !opts.dryRun || !s.external);
  const ctx: Ctx = { db, workspaceId, actor: assistant, now };
  const results: (PipelineRun | Error)[] = jobs.map((j) => emptyRun(j.runId));
  // A retried job whose run already finished does nothing again.
  const done = opts.dryRun ? new Set<string>() : await finishedRuns(ctx.db, jobs);
  const todo = jobs.filter((j) => !done.has(runKey(j.ticketId, j.runId)));
  const inputs = await loadInputs(ctx, todo);
  const own = typeof deps.ports === 'function' ? deps.ports(db) : deps.ports;
  const routing = batchRouting(own.routing, now);
  const ports: PipelinePorts = {
    ...own,
    routing: routing.port,
    enrichmentSources: sharedSources(own.enrichmentSources),
  };
  const decided = await Promise.all(
    jobs.map(async (job, k): Promise<DecidedRun | null> => {
      if (done.has(runKey(job.ticketId, job.runId))) return null;
      const input = inputs.get(job.ticketId);
      if (!input) {
        results[k] = notFound('Ticket', job.ticketId);
        return null;
      }
      if (input.ticket.status === 'closed' && !opts.dryRun) return null;
      return decideRun(deps, ports, routing, stages, job, input);
    }),
  );
  const runs = decided.filter((r): r is DecidedRun => r !== null);
  const finished = (run: DecidedRun): PipelineRun => ({
    runId: run.job.runId,
    outcomes: run.outcomes,
    failedStage: run.failedStage,
    records: run.records.map(({ stage, ok, result, modelVersion, durationMs }) => ({
      stage,
      ok,
      result,
      modelVersion,
      durationMs,
    })),
  });
  const indexOf = new Map(jobs.map((j, k) => [j, k]));
  if (opts.dryRun) {
    for (const run of runs) results[indexOf.get(run.job)!] = finished(run);
    return results;
  }
  if (!runs.length) return results;
  for (const [run, outcome] of await commitDecided(ctx, runs))
    results[indexOf.get(run.job)!] = outcome === true ? finished(run) : outcome;
  return results;
}
