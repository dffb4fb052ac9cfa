import { asc, eq } from 'drizzle-orm';
import { byPerson, loadTicketFacts, type TicketFacts } from '../learning/outcomes.js';
import type { Ctx } from '../store/ctx.js';
import { models } from '../store/schema.js';
import type { LearningReport } from './schemas.js';
import { rangeOf, ratio, weekOf } from './stats.js';

/** How far before the period tickets are read: a label given in the period may be on an older ticket. */
const LABEL_LOOKBACK_MS = 90 * 86_400_000;

/** The last intent a person gave the ticket (a relabel or a confirmation), if any. */
export function humanLabel(f: TicketFacts): { intent: string; at: Date } | null {
  const e = f.timeline
    .filter((x) => x.type === 'ticket.intent_changed' && byPerson(x) && typeof x.data.to === 'string')
    .at(-1);
  return e ? { intent: e.data.to as string, at: e.createdAt } : null;
}

/**
 * How the assistant learns: per week of the label, of the tickets whose intent a person confirmed or
 * relabelled, the share where the assistant's first prediction (the understand stage) was right, with
 * the model versions that predicted; and every model version the workspace stored (the store stamps
 * versions with the database clock, not the context's).
 *
 * @example (await learningMetrics(ctx, {})).intentAccuracy.weeks
 */
export async function learningMetrics(
  ctx: Ctx,
  query: { from?: string | undefined; to?: string | undefined },
): Promise<LearningReport> {
  const range = rangeOf(query, ctx.now());
  const facts = await loadTicketFacts(ctx, { from: new Date(range.from.getTime() - LABEL_LOOKBACK_MS), to: range.to });
  const weeks = new Map<string, { labelled: number; correct: number; versions: Set<string> }>();
  for (const f of facts) {
    const label = humanLabel(f);
    if (!label || !f.predicted?.intent || label.at < range.from || label.at >= range.to) continue;
    const w = weeks.get(weekOf(label.at)) ?? { labelled: 0, correct: 0, versions: new Set<string>() };
    w.labelled++;
    if (f.predicted.intent === label.intent) w.correct++;
    if (f.predicted.modelVersion) w.versions.add(f.predicted.modelVersion);
    weeks.set(weekOf(label.at), w);
  }
  const rows = [...weeks.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([week, w]) => ({
      week,
      labelled: w.labelled,
      correct: w.correct,
      accuracy: ratio(w.correct, w.labelled),
      modelVersions: [...w.versions].sort(),
    }));
  const labelled = rows.reduce((a, r) => a + r.labelled, 0);
  const correct = rows.reduce((a, r) => a + r.correct, 0);
  const stored = await ctx.db
    .select({ kind: models.kind, version: models.version, createdAt: models.createdAt, metrics: models.metrics })
    .from(models)
    .where(eq(models.workspaceId, ctx.workspaceId))
    .orderBy(asc(models.createdAt), asc(models.version));
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    intentAccuracy: { labelled, correct, accuracy: ratio(correct, labelled), weeks: rows },
    models: stored.map((m) => ({
      kind: m.kind,
      version: m.version,
      createdAt: m.createdAt.toISOString(),
      source: typeof m.metrics.source === 'string' ? m.metrics.source : null,
    })),
  };
}
