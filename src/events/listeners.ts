/**
 * Who hears of appended events. The timeline appends events without knowing their consumers; a consumer
 * (the outbound channels' fan-out, say) registers a listener once, at the composition root, and is called in
 * the appending transaction, so what it writes exists exactly when the events do.
 */
import type { SQL } from 'drizzle-orm';
import type { Ctx } from '../store/ctx.js';

/** An event as appended to the timeline. */
export interface AppendedEvent {
  id: number;
  type: string;
  ticketId: string | null;
  actorType: string;
  actorId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/**
 * A consumer of appended events. `read` (optional) is a scalar SQL expression read in the same statement as
 * the events' insert (one round trip instead of one more per statement); its value, as the driver returns it,
 * is handed to `appended` with the events of that statement, oldest first.
 *
 * @example
 * registerEventListener({ name: 'audit-log', appended: async (ctx, events) => { ... } });
 */
export interface EventListener {
  name: string;
  read?: (workspaceId: string) => SQL<unknown>;
  appended: (ctx: Ctx, events: AppendedEvent[], read: unknown) => Promise<void>;
}

const listeners = new Map<string, EventListener>();

/** Registers `listener` for this process (again under the same name: replaces it). */
export function registerEventListener(listener: EventListener): void {
  listeners.set(listener.name, listener);
}

/** The registered listeners, in registration order. */
export function eventListeners(): EventListener[] {
  return [...listeners.values()];
}
