import { and, eq, isNull, lt, notExists, sql } from 'drizzle-orm';
import { sweepInsights } from '../insights/sweep.js';
import { loadIntegrationConfig } from '../connectors/settings.js';
import { pruneUsage } from '../connectors/usage.js';
import { pruneWebhookReceipts } from '../connectors/receipts.js';
import { retrainIsDue } from '../learning/retrain.js';
import { tuneThresholdsIfDue } from '../learning/thresholds.js';
import { assignQueued } from '../routing/presence.js';
import { compactModels } from '../learning/models.js';
import { sweepLifecycle } from '../tickets/sweep-lifecycle.js';
import { pruneRateLimits } from '../server/rate-limit-store.js';
import { sweepSla } from '../sla/sweep.js';
import { pruneOutbox } from '../channels/outbox.js';
import { decisions, tickets, workspaces } from '../store/schema.js';
import { contextOf, inRetriedTransaction, SYSTEM_ACTOR } from '../store/transaction.js';
import type { JobDeps, StopJob } from './deps.js';
import { queuePipeline } from './pipeline.js';
import { sweepJob } from './queue.js';

export interface SweepTotals {
  closed: number;
  woken: number;
  requeued: number;
  escalated: number;
  breached: number;
  assigned: number;
}

/** Closes quiet resolved tickets, wakes snoozed ones, and re-queues new tickets whose pipeline never ran. */
export async function sweep(deps: JobDeps): Promise<SweepTotals> {
  const { config, database, jobs, logger } = deps;
  const total: SweepTotals = { closed: 0, woken: 0, requeued: 0, escalated: 0, breached: 0, assigned: 0 };
  const ws = await database.db.select({ id: workspaces.id }).from(workspaces);
  for (const { id } of ws) {
    const r = await inRetriedTransaction(deps, id, SYSTEM_ACTOR, (ctx) =>
      sweepLifecycle(ctx, { closeAfterHours: config.closeAfterHours }),
    );
    total.closed += r.closed;
    total.woken += r.woken;
    const sla = await inRetriedTransaction(deps, id, SYSTEM_ACTOR, (ctx) => sweepSla(ctx, deps.now()));
    total.escalated += sla.escalated;
    total.breached += sla.breached;
    // Tickets waiting in a team queue go to agents who have room again.
    total.assigned += (await inRetriedTransaction(deps, id, SYSTEM_ACTOR, (ctx) => assignQueued(ctx))).length;
    // Autonomy thresholds move with the evidence, at most once a day.
    await inRetriedTransaction(deps, id, SYSTEM_ACTOR, (ctx) => tuneThresholdsIfDue(ctx));
    // Insights (topics, anomalies, bug reports) outside a transaction: tracker calls must not hold one open.
    await sweepInsights(contextOf(deps, id, SYSTEM_ACTOR), deps.embedder, deps.outbound, (part, err) =>
      logger.warn({ err, workspaceId: id, part }, 'insights sweep failed'),
    );
    // Product usage is kept only as long and as much as the workspace's retention allows.
    await pruneUsage(database.db, id, (await loadIntegrationConfig(database.db, id)).usage, deps.now());
    // Enough new labels: retrain the intent model in the background (online updates lag a batch fit).
    if (await retrainIsDue(contextOf(deps, id, SYSTEM_ACTOR), deps.intentModels)) {
      await jobs
        .enqueueRetrain({ workspaceId: id })
        .catch((err) => logger.warn({ err, workspaceId: id }, 'could not queue a retrain'));
    }
  }
  await pruneOutbox(database.db, deps.now()).catch((err) => logger.warn({ err }, 'could not prune the outbox'));
  await pruneWebhookReceipts(database.db, deps.now());
  await pruneRateLimits(database, deps.now()).catch((err) =>
    logger.warn({ err }, 'could not prune rate-limit counters'),
  );
  await compactModels(database.db).catch((err) => logger.warn({ err }, 'could not compact old model versions'));
  const staleBefore = new Date(deps.now().getTime() - 5 * 60_000);
  const stuck = await database.db
    .select({ id: tickets.id, workspaceId: tickets.workspaceId })
    .from(tickets)
    .where(
      and(
        eq(tickets.status, 'new'),
        isNull(tickets.assigneeId),
        lt(tickets.createdAt, staleBefore),
        notExists(database.db.select({ one: sql`1` }).from(decisions).where(eq(decisions.ticketId, tickets.id))),
      ),
    )
    .limit(500);
  for (const t of stuck) if (await queuePipeline(deps, t.workspaceId, t.id, 'replay')) total.requeued++;
  return total;
}

/** Runs the sweep jobs in this process and queues one every DESKMIND_SWEEP_INTERVAL_SECONDS. */
export async function workSweeps(deps: JobDeps): Promise<StopJob> {
  await deps.jobs.work(sweepJob, { concurrency: 1, pollingIntervalSeconds: 2 }, async () => {
    const r = await sweep(deps);
    if (Object.values(r).some((n) => n > 0)) deps.logger.info(r, 'lifecycle sweep');
  });
  const timer = setInterval(() => {
    deps.jobs.enqueueSweep().catch((err) => deps.logger.warn({ err }, 'could not queue the sweep'));
  }, deps.config.sweepIntervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
