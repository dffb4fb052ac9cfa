import type { OutboundGuard } from '../security/outbound-url.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { type InsightsSettingsPatch, type InsightsSettingsView, updateInsightsSettings } from './settings.js';

/**
 * An admin changes the insights settings (`updateInsightsSettings`: logged, secrets never; tracker URLs checked by
 * `guard`), in one transaction.
 */
export function changeInsightsSettings(
  ctx: Ctx,
  patch: InsightsSettingsPatch,
  guard: Pick<OutboundGuard, 'assertAllowed'>,
): Promise<InsightsSettingsView> {
  return inTransaction(ctx, (ctx) => updateInsightsSettings(ctx, patch, guard));
}
