import { joinTopics, JOIN_BATCH } from '../insights/topics.js';
import { contextOf, SYSTEM_ACTOR } from '../store/transaction.js';
import type { JobDeps } from './deps.js';
import { topicsJob } from './queue.js';

type TopicsDeps = Pick<JobDeps, 'database' | 'now' | 'embedder'>;

/** Joins the workspace's waiting tickets to their topics, a batch at a time, until none waits (or `maxBatches`). */
export async function joinWaitingTopics(deps: TopicsDeps, workspaceId: string, maxBatches = 10) {
  const ctx = contextOf(deps, workspaceId, SYSTEM_ACTOR);
  let assigned = 0;
  let created = 0;
  for (let i = 0; i < maxBatches; i++) {
    const r = await joinTopics(ctx, deps.embedder, { limit: JOIN_BATCH });
    assigned += r.assigned;
    created += r.created;
    if (r.claimed < JOIN_BATCH) break;
  }
  return { assigned, created };
}

/** Queues a topics join; a failure to queue only delays the join until the sweep's. */
export async function queueTopics(deps: Pick<JobDeps, 'jobs' | 'logger'>, workspaceId: string): Promise<void> {
  await deps.jobs
    .enqueueTopics({ workspaceId })
    .catch((err) => deps.logger.warn({ err, workspaceId }, 'could not queue a topics join'));
}

/** Runs the `insight-topics` jobs in this process, one at a time. */
export async function workTopics(deps: TopicsDeps & Pick<JobDeps, 'jobs' | 'logger'>): Promise<void> {
  await deps.jobs.work(topicsJob, { concurrency: 1, pollingIntervalSeconds: 2 }, async (job) => {
    const outcome = await joinWaitingTopics(deps, job.workspaceId);
    if (outcome.assigned) deps.logger.debug({ workspaceId: job.workspaceId, ...outcome }, 'tickets joined topics');
  });
}
