import type { Stage } from './types.js';

const DAY = 86_400_000;

/** Enrich: gathers who is asking — account tier, plan, MRR, billing state, page, and their recent tickets. */
export const enrichStage: Stage = {
  name: 'enrich',
  async run(input) {
    const { account, customer, history, ticket, now } = input;
    const recent7d = history.filter((t) => now.getTime() - t.createdAt.getTime() <= 7 * DAY && t.id !== ticket.id);
    const missing = [!customer && 'customer', !account && 'account'].filter(Boolean);
    return {
      result: {
        customer: customer ? { id: customer.id, name: customer.name, email: customer.email, locale: customer.locale } : null,
        account: account
          ? { id: account.id, name: account.name, tier: account.tier, plan: account.plan, mrr: account.mrr, seats: account.seats, billingState: account.billingState }
          : null,
        page: ticket.pageContext,
        previousTickets: history.length,
        recentTickets7d: recent7d.length,
        reopenedBefore: history.filter((t) => t.reopenCount > 0).length,
        missing,
      },
    };
  },
};
