import { and, eq, or } from 'drizzle-orm';
import type { Ctx } from '../store/ctx.js';
import { accounts, customers } from '../store/schema.js';
import type { CrmFacts } from './enrichment.js';

/**
 * Keeps what the CRM said on the account: its tier (the CRM wins when its tier property is set), CRM id,
 * domain, lifecycle stage, renewal date and owner (unless one is set already). A customer without an account
 * gets the CRM company's account (found by CRM id or domain, else created).
 */
export async function syncAccountFromCrm(ctx: Ctx, action: { accountId: string | null; customerId: string | null; crm: CrmFacts }): Promise<void> {
  const { crm } = action;
  let accountId = action.accountId;
  if (!accountId) {
    const [found] = await ctx.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.workspaceId, ctx.workspaceId), or(eq(accounts.crmId, crm.companyId), crm.domain ? eq(accounts.domain, crm.domain) : undefined)))
      .limit(1);
    accountId = found?.id ?? null;
    if (!accountId) {
      const [created] = await ctx.db
        .insert(accounts)
        .values({ workspaceId: ctx.workspaceId, name: crm.companyName ?? crm.domain ?? `CRM company ${crm.companyId}`, domain: crm.domain, tier: crm.tier ?? 'free', crmId: crm.companyId, createdAt: ctx.now(), updatedAt: ctx.now() })
        .returning({ id: accounts.id });
      accountId = created!.id;
    }
    if (action.customerId) {
      await ctx.db.update(customers).set({ accountId, updatedAt: ctx.now() }).where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.id, action.customerId)));
    }
  }
  const [row] = await ctx.db.select().from(accounts).where(and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.id, accountId)));
  if (!row) return;
  const attributes: Record<string, unknown> = { ...row.attributes, crmSyncedAt: crm.syncedAt };
  if (crm.lifecycleStage) attributes.lifecycleStage = crm.lifecycleStage;
  if (crm.renewalDate) attributes.renewalDate = crm.renewalDate;
  if (crm.ownerEmail && !attributes.ownerEmail && !attributes.ownerAgentId) attributes.ownerEmail = crm.ownerEmail;
  await ctx.db
    .update(accounts)
    .set({ tier: crm.tier ?? row.tier, crmId: row.crmId ?? crm.companyId, domain: row.domain ?? crm.domain, attributes, updatedAt: ctx.now() })
    .where(eq(accounts.id, accountId));
}
