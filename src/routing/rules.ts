import { and, asc, eq, max } from 'drizzle-orm';
import { DeskmindError, notFound } from '../domain/errors.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import type { DbOrTx } from '../store/db.js';
import { routingRules, teams } from '../store/schema.js';
import type { RoutingRule, RoutingRuleInput, RoutingRulePatch } from './schemas.js';
import { cachedConfig } from '../store/config-cache.js';

const toRule = ({ workspaceId: _w, ...row }: typeof routingRules.$inferSelect): RoutingRule => row;
const scope = (ctx: Ctx, id: string) => and(eq(routingRules.workspaceId, ctx.workspaceId), eq(routingRules.id, id));

async function checkTeam(ctx: Ctx, teamId: string | null | undefined): Promise<void> {
  if (!teamId) return;
  const [team] = await ctx.db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.workspaceId, ctx.workspaceId), eq(teams.id, teamId)));
  if (!team)
    throw new DeskmindError('validation_failed', 'Unknown team', {
      issues: [{ path: 'teamId', message: 'unknown team' }],
    });
}

/** The workspace's routing rules in evaluation order. */
export function listRules(db: DbOrTx, workspaceId: string): Promise<RoutingRule[]> {
  return cachedConfig(db, workspaceId, 'routing-rules', async () => {
    const rows = await db
      .select()
      .from(routingRules)
      .where(eq(routingRules.workspaceId, workspaceId))
      .orderBy(asc(routingRules.position), asc(routingRules.name));
    return rows.map(toRule);
  });
}

/** Creates a rule, in one transaction; without a position it goes last. */
export function createRule(ctx: Ctx, input: RoutingRuleInput): Promise<RoutingRule> {
  return inTransaction(ctx, async (ctx) => {
    await checkTeam(ctx, input.teamId);
    const position =
      input.position ??
      ((
        await ctx.db
          .select({ last: max(routingRules.position) })
          .from(routingRules)
          .where(eq(routingRules.workspaceId, ctx.workspaceId))
      )[0]?.last ?? -1) + 1;
    const now = ctx.now();
    const [row] = await mapUnique('A routing rule with this name', () =>
      ctx.db
        .insert(routingRules)
        .values({ ...input, position, workspaceId: ctx.workspaceId, createdAt: now, updatedAt: now })
        .returning(),
    );
    return toRule(row!);
  });
}

/** One rule of the workspace. */
export async function getRule(ctx: Ctx, id: string): Promise<RoutingRule> {
  const [row] = await ctx.db.select().from(routingRules).where(scope(ctx, id));
  if (!row) throw notFound('Routing rule', id);
  return toRule(row);
}

/** Changes the fields sent, in one transaction; the others keep their values. */
export function updateRule(ctx: Ctx, id: string, patch: RoutingRulePatch): Promise<RoutingRule> {
  return inTransaction(ctx, async (ctx) => {
    await checkTeam(ctx, patch.teamId);
    const [row] = await mapUnique('A routing rule with this name', () =>
      ctx.db
        .update(routingRules)
        .set({ ...patch, updatedAt: ctx.now() })
        .where(scope(ctx, id))
        .returning(),
    );
    if (!row) throw notFound('Routing rule', id);
    return toRule(row);
  });
}

/** Deletes a rule of the workspace. */
export async function deleteRule(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db.delete(routingRules).where(scope(ctx, id)).returning({ id: routingRules.id });
  if (!rows.length) throw notFound('Routing rule', id);
}
