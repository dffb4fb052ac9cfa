import { and, desc, eq, type SQLWrapper, sql } from 'drizzle-orm';
import type { DbOrTx } from '../store/db.js';
import { models } from '../store/schema.js';

/** A stored model version. */
export interface StoredModel {
  version: number;
  data: Uint8Array;
  metrics: Record<string, unknown>;
  createdAt: Date;
}

/** Stores a new version of a workspace's model of `kind`; returns its version number. */
export async function saveModel(
  db: DbOrTx,
  workspaceId: string,
  kind: string,
  data: Uint8Array,
  metrics: Record<string, unknown> = {},
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const [{ next } = { next: 1 }] = await db
      .select({ next: sql<number>`coalesce(max(${models.version}), 0)::int + 1` })
      .from(models)
      .where(and(eq(models.workspaceId, workspaceId), eq(models.kind, kind)));
    const inserted = await db
      .insert(models)
      .values({ workspaceId, kind, version: next, data: Buffer.from(data), metrics })
      .onConflictDoNothing()
      .returning({ version: models.version });
    if (inserted[0]) return inserted[0].version;
    if (attempt > 5) throw new Error('could not allocate a model version');
  }
}

/** The latest version number of a workspace's model, or null. */
export async function latestModelVersion(db: DbOrTx, workspaceId: string, kind: string): Promise<number | null> {
  const [row] = await db
    .select({ version: models.version })
    .from(models)
    .where(and(eq(models.workspaceId, workspaceId), eq(models.kind, kind)))
    .orderBy(desc(models.version))
    .limit(1);
  return row?.version ?? null;
}

/** Loads one version (the latest when omitted). */
export async function loadModel(
  db: DbOrTx,
  workspaceId: string,
  kind: string,
  version?: number,
): Promise<StoredModel | null> {
  const [row] = await db
    .select()
    .from(models)
    .where(
      and(
        eq(models.workspaceId, workspaceId),
        eq(models.kind, kind),
        version ? eq(models.version, version) : undefined,
      ),
    )
    .orderBy(desc(models.version))
    .limit(1);
  return row
    ? { version: row.version, data: new Uint8Array(row.data), metrics: row.metrics, createdAt: row.createdAt }
    : null;
}

/** Whether a stored version (its `metrics` column) was made by training (a first training, a retrain), not online. */
const trained = (metrics: SQLWrapper) => sql`(${metrics}->>'source') is distinct from 'online'`;

/**
 * The newest version of a workspace's model that was made by training rather than by an online update (what the
 * retrain guard rebuilds the live model from), or null when there is none or its weights were dropped.
 */
export async function lastTrainedModel(db: DbOrTx, workspaceId: string, kind: string): Promise<StoredModel | null> {
  const [row] = await db
    .select()
    .from(models)
    .where(and(eq(models.workspaceId, workspaceId), eq(models.kind, kind), trained(models.metrics)))
    .orderBy(desc(models.version))
    .limit(1);
  return row && row.data.length > 0
    ? { version: row.version, data: new Uint8Array(row.data), metrics: row.metrics, createdAt: row.createdAt }
    : null;
}

/** Versions of each model whose weights are kept (the older ones keep their metrics and dates only). */
export const MODEL_VERSIONS_KEPT = 10;

/**
 * Drops the weights of all but the newest `keep` versions of every model (each human label stores a new
 * online version; on Banking77 a version is about 12 MB). Rows stay, with their metrics and dates, for the
 * learning-velocity history. The newest version made by training keeps its weights too ({@link lastTrainedModel}:
 * the retrain guard rebuilds the live model from it). Returns how many were compacted.
 */
export async function compactModels(db: DbOrTx, keep = MODEL_VERSIONS_KEPT): Promise<number> {
  const rows = await db
    .update(models)
    .set({ data: Buffer.alloc(0) })
    .where(
      sql`octet_length(${models.data}) > 0 and ${models.version} <= (select max(x.version) from ${models} x where
          x.workspace_id = ${models.workspaceId} and x.kind = ${models.kind}) - ${keep}
          and ${models.version} <> coalesce((select max(y.version) from ${models} y where y.workspace_id =
          ${models.workspaceId} and y.kind = ${models.kind} and ${trained(sql.raw('y.metrics'))}), 0)`,
    )
    .returning({ version: models.version });
  return rows.length;
}
