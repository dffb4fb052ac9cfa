import { and, eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Agent, AgentPatch } from '../domain/schemas.js';
import { agents } from '../store/schema.js';
import { hashPassword } from './passwords.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { setTeams } from './agent-rows.js';
import { getAgent } from './get-agent.js';

export async function updateAgent(ctx: Ctx, id: string, patch: AgentPatch): Promise<Agent> {
  const { password, teamIds, ...rest } = patch;
  const values = { ...rest, updatedAt: ctx.now(), ...(password ? { passwordHash: await hashPassword(password) } : {}) };
  const [row] = await mapUnique('An agent with this email', () =>
    ctx.db
      .update(agents)
      .set(values)
      .where(and(eq(agents.workspaceId, ctx.workspaceId), eq(agents.id, id)))
      .returning(),
  );
  if (!row) throw notFound('Agent', id);
  if (teamIds) await setTeams(ctx, id, teamIds);
  return getAgent(ctx, id);
}
