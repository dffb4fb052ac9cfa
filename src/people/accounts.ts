import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Account, AccountInput, AccountPatch } from '../domain/schemas.js';
import { accounts } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';

const scope = (ctx: Ctx, id: string) => and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.id, id));

function toAccount(row: typeof accounts.$inferSelect): Account {
  const { workspaceId: _w, ...rest } = row;
  return rest;
}

/** Creates an account (company). */
export async function createAccount(ctx: Ctx, input: AccountInput): Promise<Account> {
  const [row] = await mapUnique('An account with this externalId', () =>
    ctx.db
      .insert(accounts)
      .values({ ...input, workspaceId: ctx.workspaceId })
      .returning(),
  );
  return toAccount(row!);
}

/** Creates the account with this external id, or updates it when it exists. */
export async function upsertAccountByExternalId(
  ctx: Ctx,
  externalId: string,
  input: AccountInput,
): Promise<{ account: Account; created: boolean }> {
  const existing = await findAccountByExternalId(ctx, externalId);
  if (existing) return { account: await updateAccount(ctx, existing.id, input), created: false };
  return { account: await createAccount(ctx, { ...input, externalId }), created: true };
}

export async function findAccountByExternalId(ctx: Ctx, externalId: string): Promise<Account | null> {
  const [row] = await ctx.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), eq(accounts.externalId, externalId)));
  return row ? toAccount(row) : null;
}

/** Accounts by id (one statement); unknown ids are absent from the map. */
export async function getAccounts(ctx: Ctx, ids: string[]): Promise<Map<string, Account>> {
  if (!ids.length) return new Map();
  const rows = await ctx.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), inArray(accounts.id, [...new Set(ids)])));
  return new Map(rows.map((r) => [r.id, toAccount(r)]));
}

export async function getAccount(ctx: Ctx, id: string): Promise<Account> {
  const [row] = await ctx.db.select().from(accounts).where(scope(ctx, id));
  if (!row) throw notFound('Account', id);
  return toAccount(row);
}

export async function updateAccount(ctx: Ctx, id: string, patch: AccountPatch): Promise<Account> {
  const [row] = await mapUnique('An account with this externalId', () =>
    ctx.db
      .update(accounts)
      .set({ ...patch, updatedAt: ctx.now() })
      .where(scope(ctx, id))
      .returning(),
  );
  if (!row) throw notFound('Account', id);
  return toAccount(row);
}

export async function deleteAccount(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db.delete(accounts).where(scope(ctx, id)).returning({ id: accounts.id });
  if (rows.length === 0) throw notFound('Account', id);
}

/** Accounts by id, in pages. */
export async function listAccounts(ctx: Ctx, opts: { limit: number; after?: string | undefined }): Promise<Account[]> {
  const rows = await ctx.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, ctx.workspaceId), opts.after ? gt(accounts.id, opts.after) : undefined))
    .orderBy(asc(accounts.id))
    .limit(opts.limit);
  return rows.map(toAccount);
}
