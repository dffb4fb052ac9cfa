/**
 * Typed reads of the decision record (the `decisions` table): each stage's stored result comes back parsed by its
 * schema from src/domain/stage-results.ts, so no module reads a record by JSON path or through `any`. A stored
 * result its stage's schema no longer accepts (a record written before the result took its present shape) is
 * read as if it were not there: the readers skip it, never fail on it.
 */
import { and, asc, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { STAGE_RESULTS, type StageName, type StageResults } from '../../domain/stage-results.js';
import type { DbOrTx } from '../db.js';
import { decisions, tickets } from '../schema.js';

/** A stored record of one stage, its result typed by the stage. */
export interface StoredDecision<N extends StageName> {
  ticketId: string;
  result: StageResults[N];
  modelVersion: string | null;
  createdAt: Date;
}

/** A stored result parsed by its stage's schema, or null when the schema does not accept it (an older shape). */
function parsed<N extends StageName>(stage: N, result: unknown): StageResults[N] | null {
  const out = STAGE_RESULTS[stage].safeParse(result);
  // The parse of stage N's schema is StageResults[N]; TypeScript does not follow the index through a generic.
  return out.success ? (out.data as StageResults[N]) : null;
}

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
 * The successful records of one stage for some tickets (`ticketIds`, or those created in [from, to)
 * `ticketsCreatedIn`; all of the workspace's when omitted), optionally since `from`, newest first (or `oldest` first,
 * in the order they were written).
 */
export async function stageDecisions<N extends StageName>(
  db: DbOrTx,
  stage: N,
  where: {
    workspaceId?: string | undefined;
    ticketIds?: readonly string[] | undefined;
    ticketsCreatedIn?: { from: Date; to: Date } | undefined;
    from?: Date | undefined;
  },
  order: 'newest' | 'oldest' = 'newest',
): Promise<StoredDecision<N>[]> {
  const created = where.ticketsCreatedIn;
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
        created
          ? inArray(
              decisions.ticketId,
              db
                .select({ id: tickets.id })
                .from(tickets)
                .where(
                  and(
                    where.workspaceId ? eq(tickets.workspaceId, where.workspaceId) : undefined,
                    gte(tickets.createdAt, created.from),
                    lt(tickets.createdAt, created.to),
                  ),
                ),
            )
          : undefined,
        where.workspaceId ? eq(decisions.workspaceId, where.workspaceId) : undefined,
        eq(decisions.stage, stage),
        eq(decisions.ok, true),
        where.from ? gte(decisions.createdAt, where.from) : undefined,
      ),
    )
    .orderBy(...(order === 'newest' ? [desc(decisions.createdAt)] : [asc(decisions.createdAt), asc(decisions.id)]));
  return rows.flatMap((r) => {
    const result = parsed(stage, r.result);
    return result ? [{ ...r, result }] : [];
  });
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
  const result = row ? parsed('resolve', row.result) : null;
  return result && 'composed' in result && result.composed ? result : null;
}

/** The latest successful result of a stage among a ticket's records (listed oldest first, as its detail lists them). */
export function latestResult<N extends StageName>(
  records: readonly { stage: string; ok: boolean; result: Record<string, unknown> }[],
  stage: N,
): StageResults[N] | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const d = records[i]!;
    const result = d.stage === stage && d.ok ? parsed(stage, d.result) : null;
    if (result) return result;
  }
  return undefined;
}
