/**
 * Runs the pipeline on tickets: one, or the batch a worker fetched, in waves of distinct tickets per workspace
 * (schedule.ts), each wave's inputs read together, its tickets through the stage loop (runner.ts) side by side, and
 * its records and actions committed together.
 */
import { notFound } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { readConfigVersion, withConfigVersion } from '../store/config-cache.js';
import type { DbOrTx } from '../store/db.js';
import { finishedRuns, runKey } from '../store/repos/decisions.js';
import { assistant } from './apply-actions.js';
import { asError, commitDecided } from './commit.js';
import { loadInputs } from './load-inputs.js';
import { batchRouting, sharedSources } from './ports/batch.js';
import { DEFAULT_STAGES, decideRun, type PipelineRun, type RunnerDeps } from './runner.js';
import { wavesOf } from './schedule.js';
import type { DecidedRun, PipelineJobRef, PipelinePorts, PipelineTrigger } from './types.js';

const emptyRun = (runId: string): PipelineRun => ({ runId, outcomes: {}, failedStage: null, records: [] });

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
