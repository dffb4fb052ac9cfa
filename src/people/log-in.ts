import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deskmind } from '../app.js';
import { DeskmindError } from '../domain/errors.js';
import type { Agent } from '../domain/schemas.js';
import { agentSessions, agents } from '../store/schema.js';
import { getAgent } from './get-agent.js';
import { randomToken, tokenHash, verifyPassword } from './passwords.js';

/** What logging in and out uses of the running desk (no workspace is known before the password is checked). */
export type SessionDesk = Pick<Deskmind, 'database' | 'now' | 'config' | 'ctx'>;

export const LogInSchema = z
  .object({ email: z.email().max(320), password: z.string().min(1).max(200), workspaceId: z.uuid().optional() })
  .strict();
export type LogInInput = z.infer<typeof LogInSchema>;

/**
 * Checks an agent's email and password and opens a session of DESKMIND_SESSION_TTL_HOURS; returns its token (for an
 * http-only cookie) with the agent. A wrong email or password is `invalid_credentials`, whichever it was.
 */
export async function logIn(
  desk: SessionDesk,
  input: LogInInput,
): Promise<{ token: string; expiresAt: Date; workspaceId: string; agent: Agent }> {
  const db = desk.database.db;
  const rows = await db
    .select()
    .from(agents)
    .where(
      and(
        eq(agents.email, input.email.toLowerCase()),
        input.workspaceId ? eq(agents.workspaceId, input.workspaceId) : undefined,
      ),
    );
  for (const row of rows) {
    if (row.passwordHash && (await verifyPassword(input.password, row.passwordHash))) {
      const token = randomToken('dms_');
      const expiresAt = new Date(desk.now().getTime() + desk.config.sessionTtlHours * 3_600_000);
      await db
        .insert(agentSessions)
        .values({ tokenHash: tokenHash(token), agentId: row.id, workspaceId: row.workspaceId, expiresAt });
      const agent = await getAgent(desk.ctx(row.workspaceId, { type: 'agent', id: row.id }), row.id);
      return { token, expiresAt, workspaceId: row.workspaceId, agent };
    }
  }
  throw new DeskmindError('invalid_credentials');
}

/** The workspaces with an agent of this email (where failed logins to it are audited). */
export async function workspacesOfLogin(desk: Pick<SessionDesk, 'database'>, email: string): Promise<string[]> {
  const rows = await desk.database.db
    .select({ workspaceId: agents.workspaceId })
    .from(agents)
    .where(eq(agents.email, email.toLowerCase()));
  return rows.map((r) => r.workspaceId);
}
