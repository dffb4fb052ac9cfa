import { learnFromLabel } from '../learning/online.js';
import { contextOf, SYSTEM_ACTOR } from '../store/transaction.js';
import type { JobDeps } from './deps.js';
import { learnJob } from './queue.js';

type LearnDeps = Pick<JobDeps, 'database' | 'now' | 'intentModels'>;

/** Learns from a ticket's human intent label now. */
export function learn(deps: LearnDeps, workspaceId: string, ticketId: string) {
  return learnFromLabel(contextOf(deps, workspaceId, SYSTEM_ACTOR), deps.intentModels, ticketId);
}

/** Queues online learning; a failure to queue only loses one online update (a retrain catches up). */
export async function queueLearning(
  deps: Pick<JobDeps, 'jobs' | 'logger'>,
  workspaceId: string,
  ticketId: string,
): Promise<void> {
  await deps.jobs
    .enqueueLearning({ workspaceId, ticketId })
    .catch((err) => deps.logger.warn({ err, ticketId }, 'could not queue online learning'));
}

/** Runs the `learn-label` jobs in this process, one at a time. */
export async function workLearning(deps: LearnDeps & Pick<JobDeps, 'jobs' | 'logger'>): Promise<void> {
  await deps.jobs.work(learnJob, { concurrency: 1 }, async (job) => {
    const outcome = await learn(deps, job.workspaceId, job.ticketId);
    deps.logger.info({ ticketId: job.ticketId, ...outcome }, 'online learning');
  });
}
