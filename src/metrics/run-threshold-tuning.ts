import { type Proposal, tuneThresholds } from '../learning/thresholds.js';
import { inTransaction, type Ctx } from '../store/ctx.js';

/** An admin tunes the per-intent thresholds now (`tuneThresholds`: logged with before, after and evidence), in one
 * transaction. */
export function runThresholdTuning(ctx: Ctx): Promise<{ changes: Proposal[]; proposals: Proposal[] }> {
  return inTransaction(ctx, (ctx) => tuneThresholds(ctx));
}
