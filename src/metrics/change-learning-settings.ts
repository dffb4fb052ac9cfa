import type { z } from 'zod';
import {
  type LearningSettings,
  type LearningSettingsPatchSchema,
  updateLearningSettings,
} from '../learning/thresholds.js';
import { inTransaction, type Ctx } from '../store/ctx.js';

/** An admin changes how thresholds are tuned (`updateLearningSettings`: logged), in one transaction. */
export function changeLearningSettings(
  ctx: Ctx,
  patch: z.infer<typeof LearningSettingsPatchSchema>,
): Promise<LearningSettings> {
  return inTransaction(ctx, (ctx) => updateLearningSettings(ctx, patch));
}
