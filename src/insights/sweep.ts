/**
 * The periodic insights work of the sweep, per workspace: new tickets join topics (every few minutes,
 * re-clustering once a day), series are tested for spikes (every few minutes), bug reports are grouped and sent, and
 * account health is brought up to date (so that a read finds at most a sweep's interval of changes to recompute).
 */
import { and, eq } from 'drizzle-orm';
import type { Embedder } from '../knowledge/embedders.js';
import type { Ctx } from '../store/ctx.js';
import { insightRuns } from '../store/schema.js';
import { detectAnomalies } from './anomalies.js';
import { refreshBugReports, syncBugReports } from './bug-reports.js';
import { refreshAccountHealth } from './health.js';
import { updateTopics } from './topics.js';
import type { TrackerOutbound } from '../connectors/trackers.js';

const MINUTE = 60_000;
export const RECLUSTER_EVERY_MS = 24 * 60 * MINUTE;
export const ANOMALY_SCAN_EVERY_MS = 5 * MINUTE;
export const TOPICS_EVERY_MS = 5 * MINUTE;

/** True (and recorded) when `kind` last ran at least `everyMs` ago, or never. */
export async function dueAndMark(ctx: Ctx, kind: string, everyMs: number): Promise<boolean> {
  const now = ctx.now();
  const [row] = await ctx.db
    .select()
    .from(insightRuns)
    .where(and(eq(insightRuns.workspaceId, ctx.workspaceId), eq(insightRuns.kind, kind)));
  if (row && now.getTime() - row.lastRunAt.getTime() < everyMs) return false;
  await ctx.db
    .insert(insightRuns)
    .values({ workspaceId: ctx.workspaceId, kind, lastRunAt: now })
    .onConflictDoUpdate({ target: [insightRuns.workspaceId, insightRuns.kind], set: { lastRunAt: now } });
  return true;
}

export interface InsightsSweepResult {
  topicsAssigned: number;
  anomalies: number;
  bugReportsChanged: number;
  bugReportsSent: number;
  /** Accounts whose health was recomputed. */
  accountsRefreshed: number;
}

/** One sweep's insights work for one workspace. Each part fails alone (the error is returned, not thrown). */
export async function sweepInsights(
  ctx: Ctx,
  embedder: Embedder,
  outbound: TrackerOutbound,
  onError: (part: string, err: unknown) => void = () => {},
): Promise<InsightsSweepResult> {
  const out: InsightsSweepResult = {
    topicsAssigned: 0,
    anomalies: 0,
    bugReportsChanged: 0,
    bugReportsSent: 0,
    accountsRefreshed: 0,
  };
  try {
    if (await dueAndMark(ctx, 'topics', TOPICS_EVERY_MS)) {
      const recluster = await dueAndMark(ctx, 'topics.recluster', RECLUSTER_EVERY_MS);
      out.topicsAssigned = (await updateTopics(ctx, embedder, { recluster })).assigned;
    }
  } catch (err) {
    onError('topics', err);
  }
  try {
    if (await dueAndMark(ctx, 'anomalies', ANOMALY_SCAN_EVERY_MS)) out.anomalies = (await detectAnomalies(ctx)).length;
  } catch (err) {
    onError('anomalies', err);
  }
  try {
    out.bugReportsChanged = (await refreshBugReports(ctx, embedder)).length;
    out.bugReportsSent = (await syncBugReports(ctx, outbound)).sent;
  } catch (err) {
    onError('bug reports', err);
  }
  try {
    out.accountsRefreshed = (await refreshAccountHealth(ctx)).accounts;
  } catch (err) {
    onError('account health', err);
  }
  return out;
}
