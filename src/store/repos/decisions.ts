/**
 * Typed reads of the decision record (the `decisions` table): each stage's stored result comes back as its
 * type from src/domain/stage-results.ts, so no module reads a record by JSON path or through `any`.
 */
import { and, asc, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { StageName, StageResults } from '../../domain/stage-results.js';
import type { DbOrTx } from '../db.js';
import { decisions } from '../schema.js';

/** A stored record of one stage, its result typed by the stage. */
export interface StoredDecision<N extends StageName> {
  ticketId: string;
  result: StageResults[N];
  modelVersion: string | null;
  createdAt: Date;
}

/** A row's result as its stage's type: the stage column says which result the writer (the runner) stored. */
const typed = <N extends StageName>(row: { result: Record<string, unknown> }) => row.result as StageResults[N];

/** The key of one run of a ticket. */
export const runKey = (ticketId: string, runId: string) => `${ticketId}/${runId}`;

/** The runs of these jobs that wrote their records already, as `runKey`s. */
export async function finishedRuns(db: DbOrTx, jobs: { ticketId: string; runId: string }[]): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ ticketId: decisions.ticketId, runId: decisions.runId })
    .from(decisions)
    .where(
      and(
        inArray(
          decisions.ticketId,
          jobs.map((j) => j.ticketId),
        ),
        inArray(
          decisions.runId,
          jobs.map((j) => j.runId),
        ),
      ),
    );
  return new Set(rows.map((r) => runKey(r.ticketId, r.runId)));
}

/**
 * The successful records of one stage for some tickets (`ticketIds`; all of the workspace's when omitted),
 * optionally since `from`, newest first (or `oldest` first, in the order they were written).
 */
export async function stageDecisions<N extends StageName>(
  db: DbOrTx,
  stage: N,
  where: { workspaceId?: string | undefined; ticketIds?: readonly string[] | undefined; from?: Date | undefined },
  order: 'newest' | 'oldest' = 'newest',
): Promise<StoredDecision<N>[]> {
  const rows = await db
    .select({
      ticketId: decisions.ticketId,
      result: decisions.result,
      modelVersion: decisions.modelVersion,
      createdAt: decisions.createdAt,
    })
    .from(decisions)
    .where(
      and(
        where.ticketIds ? inArray(decisions.ticketId, [...where.ticketIds]) : undefined,
        where.workspaceId ? eq(decisions.workspaceId, where.workspaceId) : undefined,
        eq(decisions.stage, stage),
        eq(decisions.ok, true),
        where.from ? gte(decisions.createdAt, where.from) : undefined,
      ),
    )
    .orderBy(...(order === 'newest' ? [desc(decisions.createdAt)] : [asc(decisions.createdAt), asc(decisions.id)]));
  return rows.map((r) => ({ ...r, result: typed<N>(r) }));
}

/** The latest reply the resolve stage composed for a ticket (sent or drafted), or null. */
export async function latestComposedReply(
  db: DbOrTx,
  ticketId: string,
): Promise<Extract<StageResults['resolve'], { composed: true }> | null> {
  const [row] = await db
    .select({ result: decisions.result })
    .from(decisions)
    .where(
      and(
        eq(decisions.ticketId, ticketId),
        eq(decisions.stage, 'resolve'),
        sql`${decisions.result} ->> 'composed' = 'true'`,
      ),
    )
    .orderBy(desc(decisions.createdAt))
    .limit(1);
  const result = row ? typed<'resolve'>(row) : null;
  return result && 'composed' in result && result.composed ? result : null;
}

/** The latest successful result of a stage among a ticket's records (listed oldest first, as its detail lists them). */
export function latestResult<N extends StageName>(
  records: readonly { stage: string; ok: boolean; result: Record<string, unknown> }[],
  stage: N,
): StageResults[N] | undefined {
  const found = [...records].reverse().find((d) => d.stage === stage && d.ok);
  return found ? typed<N>(found) : undefined;
}
