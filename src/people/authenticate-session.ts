import { and, eq, gt } from 'drizzle-orm';
import type { DbOrTx } from '../store/db.js';
import { agentSessions, agents } from '../store/schema.js';
import { tokenHash } from './passwords.js';
import type { Principal } from './principal.js';

/** The principal of a session token, or null when unknown or expired. */
export async function authenticateSession(db: DbOrTx, token: string, now: Date): Promise<Principal | null> {
  const [row] = await db
    .select({ agentId: agents.id, workspaceId: agents.workspaceId, role: agents.role })
    .from(agentSessions)
    .innerJoin(agents, eq(agents.id, agentSessions.agentId))
    .where(and(eq(agentSessions.tokenHash, tokenHash(token)), gt(agentSessions.expiresAt, now)));
  return row ? { kind: 'agent', ...row } : null;
}
