import type { Stage } from '../types.js';
import { assignActionOf } from '../../routing/apply.js';
import { factsOf } from '../../routing/facts.js';
import { route } from '../../routing/router.js';

/**
 * Route: once a ticket goes to a human (decision `hand_off` or `draft`, or a later stage handed it off),
 * picks its team and agent through `route` and asks the runner to assign them with the explanation.
 * A ticket that already has an assignee keeps them. Place it after `resolve`.
 */
export const routeStage: Stage<'route'> = {
  name: 'route',
  exclusive: true,
  async run(input, earlier, ports) {
    const decision = earlier.decide?.result.decision;
    const actions = Object.values(earlier).flatMap((o) => o?.actions ?? []);
    const toHuman =
      decision === 'hand_off' ||
      decision === 'draft' ||
      actions.some((a) => a.type === 'hand_off' || a.type === 'draft');
    if (!toHuman) return { result: { skipped: 'not handed to a human' as const } };
    if (input.ticket.assigneeId)
      return { result: { skipped: 'already assigned' as const, agentId: input.ticket.assigneeId } };
    const [snapshot, accountOwnerId] = await Promise.all([
      ports.routing.snapshot(input.workspaceId),
      ports.routing.accountOwner(input.workspaceId, input.account),
    ]);
    const understood = earlier.understand?.result ?? null;
    const tags = actions.flatMap((a) => (a.type === 'add_tags' ? a.tags : []));
    const routed = route({
      ...snapshot,
      accountOwnerId,
      ticket: factsOf(input.ticket, input.account, understood, tags),
      now: input.now,
    });
    return { result: { ...routed }, actions: [assignActionOf(routed)] };
  },
};
