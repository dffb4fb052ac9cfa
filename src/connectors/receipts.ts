import { lt } from 'drizzle-orm';
import type { DbOrTx } from '../store/db.js';
import { webhookReceipts } from '../store/schema.js';

/**
 * How long processed webhook deliveries are remembered. Stripe retries a delivery for up to three days, and
 * a delivery older than the signature tolerance is refused by its timestamp anyway.
 */
export const RECEIPT_RETENTION_DAYS = 30;

/** Forgets webhook deliveries older than the retention (called by the sweep). */
export async function pruneWebhookReceipts(db: DbOrTx, now: Date): Promise<number> {
  const rows = await db
    .delete(webhookReceipts)
    .where(lt(webhookReceipts.receivedAt, new Date(now.getTime() - RECEIPT_RETENTION_DAYS * 86_400_000)))
    .returning({ eventId: webhookReceipts.eventId });
  return rows.length;
}
