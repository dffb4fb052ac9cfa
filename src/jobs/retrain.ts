import { retrainIntentModel } from '../learning/retrain.js';
import { contextOf, SYSTEM_ACTOR } from '../store/transaction.js';
import type { JobDeps } from './deps.js';
import { retrainJob } from './queue.js';

type RetrainDeps = Pick<JobDeps, 'database' | 'now' | 'intentModels' | 'sentenceEncoder'>;

/** Retrains a workspace's intent model on all its labels now, promoted through the window guard. */
export function retrain(deps: RetrainDeps, workspaceId: string) {
  return retrainIntentModel(contextOf(deps, workspaceId, SYSTEM_ACTOR), deps.intentModels, deps.sentenceEncoder);
}

/** Runs the `retrain-intents` jobs (queued by the sweep when due) in this process, one at a time. */
export async function workRetrains(deps: RetrainDeps & Pick<JobDeps, 'jobs' | 'logger'>): Promise<void> {
  await deps.jobs.work(retrainJob, { concurrency: 1, pollingIntervalSeconds: 5 }, async (job) => {
    const outcome = await retrain(deps, job.workspaceId);
    deps.logger.info({ workspaceId: job.workspaceId, ...outcome }, 'background retrain');
  });
}
