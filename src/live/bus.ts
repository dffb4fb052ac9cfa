import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../store/db.js';

/** The PostgreSQL channel every timeline event is announced on. */
export const LIVE_CHANNEL = 'deskmind_events';

/** What a live event says: which workspace and ticket changed, and how. Never the ticket's content. */
export const LiveEventSchema = z.object({
  workspaceId: z.uuid(),
  ticketId: z.uuid().nullable(),
  type: z.string(),
  actorType: z.string(),
  /** The message's author type and visibility, for `message.created`. */
  authorType: z.string().optional(),
  visibility: z.string().optional(),
  at: z.string(),
});
export type LiveEvent = z.infer<typeof LiveEventSchema>;

/**
 * One expression announcing several events (serialised `LiveEvent`s), to put in an insert's `returning`:
 * `pg_notify` is transactional, so listeners hear of them only when the transaction that appended the
 * events commits (and never when it rolls back).
 */
export function notifyAllExpression(notices: string[]): SQL {
  return sql`(select count(*) from (select pg_notify(${LIVE_CHANNEL}, n) from
      unnest(${sql.param(noticePayloads(notices))}::text[]) n) sent)`;
}

/** PostgreSQL refuses a notification payload of 8,000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7_000;

/**
 * Serialised events packed into as few notifications as fit (each a JSON array): one notification costs
 * about as much as the insert of an event, so a batch of events is announced in one or a few.
 */
export function noticePayloads(notices: string[]): string[] {
  const payloads: string[] = [];
  let chunk: string[] = [];
  let bytes = 2;
  for (const notice of notices) {
    const size = Buffer.byteLength(notice) + 1;
    if (chunk.length && bytes + size > MAX_PAYLOAD_BYTES) {
      payloads.push(`[${chunk.join(',')}]`);
      chunk = [];
      bytes = 2;
    }
    chunk.push(notice);
    bytes += size;
  }
  if (chunk.length) payloads.push(`[${chunk.join(',')}]`);
  return payloads;
}

type Handler = (event: LiveEvent) => void;

/**
 * Fans timeline events out to in-process subscribers (the `/stream` endpoints), fed by one LISTEN per
 * process, so an event appended by any API or worker process reaches every connected console and widget.
 *
 * @example
 * const stop = await bus.subscribe(workspaceId, (e) => console.log(e.type, e.ticketId));
 */
export class LiveBus {
  private readonly handlers = new Map<string, Set<Handler>>();
  private listening: Promise<() => Promise<void>> | null = null;

  constructor(private readonly database: Pick<Database, 'listen'>) {}

  /** Calls `handler` for each event of the workspace until the returned function is called. */
  async subscribe(workspaceId: string, handler: Handler): Promise<() => void> {
    let set = this.handlers.get(workspaceId);
    if (!set) this.handlers.set(workspaceId, (set = new Set()));
    set.add(handler);
    try {
      this.listening ??= this.database.listen(LIVE_CHANNEL, (payload) => this.dispatch(payload));
      await this.listening;
    } catch (err) {
      this.listening = null;
      set.delete(handler);
      throw err;
    }
    return () => {
      set.delete(handler);
      if (set.size === 0) this.handlers.delete(workspaceId);
    };
  }

  /** How many subscribers are connected (for metrics and tests). */
  get size(): number {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }

  private dispatch(payload: string): void {
    // A process nobody subscribes to (a worker) ignores the notifications.
    if (!this.handlers.size) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      const result = LiveEventSchema.safeParse(item);
      if (!result.success) continue;
      for (const handler of this.handlers.get(result.data.workspaceId) ?? []) {
        try {
          handler(result.data);
        } catch {
          /* one broken subscriber never stops the others */
        }
      }
    }
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.handlers.clear();
    const listening = this.listening;
    this.listening = null;
    if (listening) await (await listening.catch(() => async () => undefined))();
  }
}
