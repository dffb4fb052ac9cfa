import { eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { DbOrTx } from '../store/db.js';
import { workspaces } from '../store/schema.js';
import { createApiKey } from './auth.js';
import { systemActor } from './context.js';

/** Creates a workspace and its first admin API key (the secret is returned once). */
export async function createWorkspace(db: DbOrTx, input: { name: string }, now = () => new Date()) {
  const [ws] = await db.insert(workspaces).values({ name: input.name }).returning();
  const { key, secret } = await createApiKey({ db, workspaceId: ws!.id, actor: systemActor, now }, { name: 'Initial admin key', role: 'admin' });
  return { workspace: ws!, apiKey: secret, apiKeyId: key.id };
}

export async function getWorkspace(db: DbOrTx, id: string) {
  const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, id));
  if (!ws) throw notFound('Workspace', id);
  return ws;
}
