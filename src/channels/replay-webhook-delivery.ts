import { replayDelivery } from '../connectors/webhooks.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import type { Delivery } from './schemas.js';

/** An admin sends a dead (or delivered) webhook delivery again (`replayDelivery`), in one transaction. */
export function replayWebhookDelivery(ctx: Ctx, id: string): Promise<Delivery> {
  return inTransaction(ctx, (ctx) => replayDelivery(ctx, id));
}
