import { randomBytes } from 'node:crypto';
import type { Deskmind } from '../app.js';
import { eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { DbOrTx } from '../store/db.js';
import { teams, workspaces } from '../store/schema.js';
import { createApiKey } from './auth.js';
import { appendEvent } from '../events/timeline.js';
import { inTransaction, systemActor, type Ctx } from '../store/ctx.js';
import { cachedConfig } from '../store/config-cache.js';

/** The default team every workspace is created with: routing's last resort, so no ticket is left without a team. */
export const TRIAGE_TEAM = {
  name: 'Triage',
  description: 'Tickets no other team fits: uncertain or mixed intents, anything not mapped to a team',
} as const;

/**
 * Creates a workspace with its default (triage) team (`settings.routing.defaultTeamId`) and its first admin
 * API key (the secret is returned once).
 */
export async function createWorkspace(db: DbOrTx, input: { name: string }, now = () => new Date()) {
  const [created] = await db.insert(workspaces).values({ name: input.name }).returning();
  const [triage] = await db
    .insert(teams)
    .values({ ...TRIAGE_TEAM, workspaceId: created!.id })
    .returning({ id: teams.id });
  const [ws] = await db
    .update(workspaces)
    .set({ settings: { ...created!.settings, routing: { defaultTeamId: triage!.id } } })
    .where(eq(workspaces.id, created!.id))
    .returning();
  const { key, secret } = await createApiKey(
    { db, workspaceId: ws!.id, actor: systemActor, now },
    { name: 'Initial admin key', role: 'admin' },
  );
  return { workspace: ws!, apiKey: secret, apiKeyId: key.id };
}

/** `createWorkspace` in a transaction of its own, then the workspace's starter intent model. */
export async function createWorkspaceWithModel(
  desk: Pick<Deskmind, 'database' | 'now' | 'intentModels'>,
  name: string,
) {
  const created = await desk.database.db.transaction((tx) => createWorkspace(tx, { name }, desk.now));
  await desk.intentModels.ensureStarter(created.workspace.id);
  return created;
}

/** The workspace row (from memory through a pipeline run's handle while its configuration is unchanged). */
export function getWorkspace(db: DbOrTx, id: string) {
  return cachedConfig(db, id, 'workspace', async () => {
    const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, id));
    if (!ws) throw notFound('Workspace', id);
    return ws;
  });
}

/**
 * Replaces the workspace's action signing secret with a new random one and returns it; the change is
 * logged (`settings.changed`, without the secret) in the same transaction.
 */
export function rotateSigningSecret(ctx: Ctx): Promise<string> {
  return inTransaction(ctx, async (ctx) => {
    const secret = randomBytes(32).toString('hex');
    const rows = await ctx.db
      .update(workspaces)
      .set({ signingSecret: secret })
      .where(eq(workspaces.id, ctx.workspaceId))
      .returning({ id: workspaces.id });
    if (rows.length === 0) throw notFound('Workspace', ctx.workspaceId);
    await appendEvent(ctx, 'settings.changed', null, { section: 'signing_secret', rotated: true });
    return secret;
  });
}
