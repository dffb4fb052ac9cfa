import { DeskmindError } from '../domain/errors.js';
import type { Agent, AgentPatch } from '../domain/schemas.js';
import { setPresence } from '../routing/presence.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { getAgent } from './get-agent.js';
import { updateAgent } from './update-agent.js';
import type { Principal } from './principal.js';

/**
 * Changes an agent, in one transaction. Admins change anything; an agent changes only their own status.
 * A new status goes through presence: going offline hands the agent's open tickets to their teammates.
 */
export async function editAgent(ctx: Ctx, by: Principal, id: string, patch: AgentPatch): Promise<Agent> {
  if (by.role !== 'admin') {
    const own = by.kind === 'agent' && by.agentId === id;
    const onlyStatus = Object.keys(patch).every((k) => k === 'status');
    if (!own || !onlyStatus) throw new DeskmindError('forbidden', 'Agents may change only their own status');
  }
  const { status, ...rest } = patch;
  return inTransaction(ctx, async (ctx) => {
    if (Object.keys(rest).length) await updateAgent(ctx, id, rest);
    if (status) return (await setPresence(ctx, id, status)).agent;
    return getAgent(ctx, id);
  });
}
