import { eq } from 'drizzle-orm';
import { agentSessions } from '../store/schema.js';
import type { SessionDesk } from './log-in.js';
import { tokenHash } from './passwords.js';

/** Ends the session of a token (nothing happens for an unknown one). */
export async function logOut(desk: Pick<SessionDesk, 'database'>, token: string): Promise<void> {
  await desk.database.db.delete(agentSessions).where(eq(agentSessions.tokenHash, tokenHash(token)));
}
