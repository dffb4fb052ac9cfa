import type { RoutingPort, RoutingSnapshot } from '../../routing/port.js';
import { loadOnce } from '../../store/config-cache.js';
import type { PipelinePorts, TicketAction } from '../types.js';

/** The routing port a batch's tickets share, with the batch's assignments counted (`batchRouting`). */
export type BatchRouting = ReturnType<typeof batchRouting>;

/**
 * The routing port of one batch: the workspace's snapshot is read once, and each assignment decided in the
 * batch counts towards the agent's load (and last assignment) for the tickets routed after it, as if each
 * had been applied before the next was routed. `exclusive` runs the route stages one at a time.
 */
export function batchRouting(
  port: RoutingPort,
  now: () => Date,
): { port: RoutingPort; exclusive<T>(fn: () => Promise<T>): Promise<T>; assigned(action: TicketAction): void } {
  const snapshots = new Map<string, Promise<RoutingSnapshot>>();
  let chain: Promise<unknown> = Promise.resolve();
  return {
    port: {
      snapshot: (workspaceId) => loadOnce(snapshots, workspaceId, () => port.snapshot(workspaceId)),
      accountOwner: (workspaceId, account) => port.accountOwner(workspaceId, account),
    },
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const result = chain.then(fn);
      chain = result.catch(() => undefined);
      return result;
    },
    assigned(action) {
      const agentId = action.type === 'assign' ? action.agentId : null;
      if (!agentId) return;
      for (const [workspaceId, snapshot] of snapshots) {
        snapshots.set(
          workspaceId,
          snapshot.then((s) => ({
            ...s,
            agents: s.agents.map((a) => (a.id === agentId ? { ...a, load: a.load + 1, lastAssignedAt: now() } : a)),
          })),
        );
      }
    },
  };
}

/**
 * The enrichment sources, built once for the tickets of a batch: the tickets then ask them together, and the
 * sources answer them in a few statements.
 */
export function sharedSources(sources: PipelinePorts['enrichmentSources']): PipelinePorts['enrichmentSources'] {
  if (!sources) return sources;
  const built = new Map<string, ReturnType<typeof sources>>();
  return (workspaceId) => loadOnce(built, workspaceId, () => sources(workspaceId));
}
