import type { Deskmind } from '../app.js';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../store/db.js';
import { teams, workspaces } from '../store/schema.js';
import { systemActor } from '../store/ctx.js';
import { createApiKey } from './create-api-key.js';

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
