import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { DbOrTx } from '../store/db.js';
import { workspaces } from '../store/schema.js';
import { createApiKey } from './auth.js';
import { systemActor } from './context.js';
import { cachedConfig } from '../store/config-cache.js';

/** Creates a workspace and its first admin API key (the secret is returned once). */
export async function createWorkspace(db: DbOrTx, input: { name: string }, now = () => new Date()) {
  const [ws] = await db.insert(workspaces).values({ name: input.name }).returning();
  const { key, secret } = await createApiKey({ db, workspaceId: ws!.id, actor: systemActor, now }, { name: 'Initial admin key', role: 'admin' });
  return { workspace: ws!, apiKey: secret, apiKeyId: key.id };
}

/** The workspace row (from memory through a pipeline run's handle while its configuration is unchanged). */
export function getWorkspace(db: DbOrTx, id: string) {
  return cachedConfig(db, id, 'workspace', async () => {
    const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, id));
    if (!ws) throw notFound('Workspace', id);
    return ws;
  });
}

/** Replaces the workspace's action signing secret with a new random one and returns it. */
export async function rotateSigningSecret(db: DbOrTx, id: string): Promise<string> {
  const secret = randomBytes(32).toString('hex');
  const rows = await db.update(workspaces).set({ signingSecret: secret }).where(eq(workspaces.id, id)).returning({ id: workspaces.id });
  if (rows.length === 0) throw notFound('Workspace', id);
  return secret;
}
