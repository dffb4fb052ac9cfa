import { IntentClassifier, type LabelledExample } from '../nlp/intent/index.js';
import type { IntentModels } from '../pipeline/ports/intent-port.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { labelledTicketExamples } from './training.js';
import { trainedOnOf, versionMetrics } from './retrain.js';

/** Recent human labels held out to check that an update does not make the model worse. */
export const GUARD_WINDOW = 200;
/** Smallest window worth judging an update by. */
export const GUARD_MIN = 20;
/** Largest drop in accuracy on the window an update may cause before it is rolled back. */
export const GUARD_TOLERANCE = 0.02;

const accuracy = (model: IntentClassifier, examples: LabelledExample[]) =>
  examples.length ? examples.filter((e) => model.predict(e.text).topIntent === e.label).length / examples.length : null;

export type LearnOutcome =
  | { status: 'updated'; version: number; label: string; before: number | null; after: number | null; window: number }
  | { status: 'rejected'; label: string; before: number; after: number; window: number }
  | { status: 'skipped'; reason: string };

/**
 * Learns online from one human label (an agent's relabel, or an intent confirmed at resolution): the
 * workspace's model takes the example without a full retrain and is stored as the next version — unless
 * it gets worse on the window of recent human labels, in which case the update is rolled back. Labels
 * set by the assistant never reach this (they carry a model confidence).
 */
export async function learnFromLabel(ctx: Ctx, models: IntentModels, ticketId: string): Promise<LearnOutcome> {
  const [example] = await labelledTicketExamples(ctx, 1, { only: ticketId });
  if (!example) return { status: 'skipped', reason: 'the ticket has no human label' };
  const current = await models.get(ctx.workspaceId);
  if (!current) return { status: 'skipped', reason: 'the workspace has no intent model' };
  const window = await labelledTicketExamples(ctx, GUARD_WINDOW, { except: ticketId });
  const candidate = IntentClassifier.fromBuffer(current.model.toBuffer());
  const before = window.length >= GUARD_MIN ? accuracy(candidate, window) : null;
  candidate.update(example);
  const after = window.length >= GUARD_MIN ? accuracy(candidate, window) : null;
  if (before !== null && after !== null && after < before - GUARD_TOLERANCE) {
    await appendEvent(ctx, 'model.update_rejected', ticketId, {
      label: example.label,
      before,
      after,
      window: window.length,
      fromVersion: current.version,
    });
    return { status: 'rejected', label: example.label, before, after, window: window.length };
  }
  const trainedOn = trainedOnOf(await versionMetrics(ctx, current.version));
  const version = await models.save(ctx.workspaceId, candidate, {
    source: 'online',
    trainedOn,
    ticketId,
    label: example.label,
    fromVersion: current.version,
    windowAccuracyBefore: before,
    windowAccuracyAfter: after,
    window: window.length,
  });
  await appendEvent(ctx, 'model.updated', ticketId, {
    label: example.label,
    version,
    fromVersion: current.version,
    before,
    after,
    window: window.length,
  });
  return { status: 'updated', version, label: example.label, before, after, window: window.length };
}
