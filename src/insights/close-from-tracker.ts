import type { TrackerKind } from '../connectors/registry.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { closeFromTracker } from './bug-reports.js';

/** What a tracker's webhook is answered: the report it closed, if any, and the tickets that closing resolved. */
export interface TrackerClosed {
  ok: true;
  bugReportId: string | null;
  resolvedTickets: string[];
}

/**
 * A tracker says the engineering issue `externalId` was closed (null: the event was about something else): its bug
 * report closes and the linked tickets are resolved (`closeFromTracker`), in one transaction. `ctx` acts as the
 * tracker's integration.
 */
export async function closeBugReportFromTracker(
  ctx: Ctx,
  tracker: TrackerKind,
  externalId: string | null,
): Promise<TrackerClosed> {
  if (!externalId) return { ok: true, bugReportId: null, resolvedTickets: [] };
  const result = await inTransaction(ctx, (tx) => closeFromTracker(tx, tracker, externalId));
  return { ok: true, bugReportId: result?.report.id ?? null, resolvedTickets: result?.resolved ?? [] };
}
