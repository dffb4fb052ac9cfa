import type { Agent, AgentInput } from '../domain/schemas.js';
import { agents } from '../store/schema.js';
import { hashPassword } from './passwords.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { setTeams, toAgent } from './agent-rows.js';

/** Creates an agent (a human), with a password for the console when given. */
export async function createAgent(ctx: Ctx, input: AgentInput): Promise<Agent> {
  return inTransaction(ctx, async (ctx) => {
    const { password, teamIds, ...rest } = input;
    const [row] = await mapUnique('An agent with this email', async () =>
      ctx.db
        .insert(agents)
        .values({ ...rest, workspaceId: ctx.workspaceId, passwordHash: password ? await hashPassword(password) : null })
        .returning(),
    );
    if (teamIds) await setTeams(ctx, row!.id, teamIds);
    return toAgent(row!, teamIds ?? []);
  });
}
