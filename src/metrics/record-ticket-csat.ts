import { recordCsat } from '../learning/outcomes.js';
import { inTransaction, type Ctx } from '../store/ctx.js';

/** The customer's satisfaction rating of a ticket (`recordCsat`), in one transaction. */
export function recordTicketCsat(
  ctx: Ctx,
  ticketId: string,
  rating: number,
  comment?: string,
): Promise<{ ticketId: string; rating: number; comment: string | null }> {
  return inTransaction(ctx, (ctx) => recordCsat(ctx, ticketId, rating, comment));
}
