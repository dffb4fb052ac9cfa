import { eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { DbOrTx } from '../store/db.js';
import { workspaces } from '../store/schema.js';
import { cachedConfig } from '../store/config-cache.js';

/** The workspace row (from memory through a pipeline run's handle while its configuration is unchanged). */
export function getWorkspace(db: DbOrTx, id: string) {
  return cachedConfig(db, id, 'workspace', async () => {
    const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, id));
    if (!ws) throw notFound('Workspace', id);
    return ws;
  });
}
