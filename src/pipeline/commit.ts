import { and, eq, inArray } from 'drizzle-orm';
import { agentRoom } from '../routing/apply.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent, withEventBatch } from '../events/timeline.js';
import { bulkInsert, bulkUpdate } from '../store/bulk.js';
import { inScopeOf } from '../store/config-cache.js';
import { runKey } from '../store/repos/decisions.js';
import { retryOnConflict } from '../store/pg-errors.js';
import { decisions, ticketColumns, tickets } from '../store/schema.js';
import { applyActions, type TicketUpdate } from './apply-actions.js';
import type { DecidedRun } from './types.js';

/** Another delivery of the same job wrote part of this run's record: the run counts as decided elsewhere. */
export class PartiallyDecided extends Error {}

/**
 * Writes the decision records of several runs and applies their actions in one transaction, with their
 * events in one statement. Returns the runs that were decided here: a run whose record another delivery of
 * the same job already wrote (one that expired while it ran) is not applied again, so a ticket is never
 * decided twice. Throws `PartiallyDecided` when such a record is only partly there.
 */
export async function commitRuns(ctx: Ctx, runs: DecidedRun[]): Promise<Set<DecidedRun>> {
  return ctx.db.transaction(async (rawTx) => {
    // The transaction reads configuration as the run does (from memory at the run's version).
    const tx = inScopeOf(rawTx, ctx.db);
    const txCtx = { ...ctx, db: tx };
    const inserted = await bulkInsert(
      tx,
      decisions,
      runs.flatMap((r) => r.records),
      {
        onConflictDoNothing: true,
        returning: { ticketId: decisions.ticketId, runId: decisions.runId, stage: decisions.stage },
      },
    );
    const written = new Map<string, number>();
    for (const r of inserted)
      written.set(runKey(r.ticketId, r.runId), (written.get(runKey(r.ticketId, r.runId)) ?? 0) + 1);
    const decided = new Set<DecidedRun>();
    for (const run of runs) {
      const n = written.get(runKey(run.job.ticketId, run.job.runId)) ?? 0;
      if (n === new Set(run.records.map((r) => r.stage)).size) decided.add(run);
      else if (n > 0) throw new PartiallyDecided(`run ${run.job.runId} was partly decided by another delivery`);
    }
    if (!decided.size) return decided;
    // Rows are locked in one order, so concurrent batches on a server never deadlock on each other's tickets.
    const rows = await tx
      .select(ticketColumns)
      .from(tickets)
      .where(
        and(
          eq(tickets.workspaceId, ctx.workspaceId),
          inArray(
            tickets.id,
            [...decided].map((r) => r.job.ticketId),
          ),
        ),
      )
      .orderBy(tickets.id)
      .for('update');
    const byId = new Map(rows.map((r) => [r.id, r]));
    const room = await agentRoom(
      txCtx,
      [...decided].flatMap((r) => r.actions.flatMap((a) => (a.type === 'assign' && a.agentId ? [a.agentId] : []))),
    );
    const updates: TicketUpdate[] = [];
    // The runs' events are written together at the end (one statement instead of one each).
    await withEventBatch(txCtx, async (batchCtx) => {
      for (const run of decided) {
        await applyActions(batchCtx, byId.get(run.job.ticketId), run, room, updates);
        await appendEvent(batchCtx, run.failedStage ? 'pipeline.failed' : 'pipeline.completed', run.job.ticketId, {
          runId: run.job.runId,
          trigger: run.job.trigger,
          failedStage: run.failedStage,
          stages: run.records.map((r) => r.stage),
        });
      }
      // The tickets' own fields, in one statement per set of changed columns.
      await bulkUpdate(tx, tickets, updates);
    });
    return decided;
  });
}

export const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Commits the runs in one transaction (run again on a deadlock), falling back to one transaction per run when
 * it fails, so one bad run never fails the others. Returns each run decided here (`true`) or the error its
 * commit failed with; a run another delivery decided is absent.
 */
export async function commitDecided(ctx: Ctx, runs: DecidedRun[]): Promise<Map<DecidedRun, true | Error>> {
  const out = new Map<DecidedRun, true | Error>();
  const record = (committed: Set<DecidedRun>) => {
    for (const run of committed) out.set(run, true);
  };
  const failed = (run: DecidedRun, e: unknown) => {
    if (!(e instanceof PartiallyDecided)) out.set(run, asError(e));
  };
  try {
    record(await retryOnConflict(() => commitRuns(ctx, runs)));
  } catch (err) {
    if (runs.length === 1) failed(runs[0]!, err);
    // One transaction per run: a run that fails alone fails its own job only.
    else
      for (const run of runs) {
        try {
          record(await retryOnConflict(() => commitRuns(ctx, [run])));
        } catch (own) {
          failed(run, own);
        }
      }
  }
  return out;
}
