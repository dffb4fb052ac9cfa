import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { lt, sql } from 'drizzle-orm';
import type { Database } from '../store/db.js';
import { rateLimits } from '../store/schema.js';

type Counted = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** Counters one process keeps at most (the plugin's own memory store keeps 5,000); the oldest go first. */
const MEMORY_KEYS = 10_000;

/**
 * A rate-limit store (for @fastify/rate-limit) that counts in this process's memory on the app's clock (the
 * plugin's own store reads `Date.now()`, which tests cannot move). Fixed windows: a key's window starts at its first
 * hit and resets when it has passed.
 */
export function memoryRateLimitStore(now: () => Date): FastifyRateLimitStoreCtor {
  class MemoryStore implements FastifyRateLimitStore {
    private readonly counts = new Map<string, { hits: number; resetAt: number }>();

    incr(key: string, callback: Counted, timeWindow: number): void {
      const at = now().getTime();
      let entry = this.counts.get(key);
      if (!entry || entry.resetAt <= at) {
        this.counts.delete(key);
        if (this.counts.size >= MEMORY_KEYS) {
          for (const [k, e] of this.counts) if (e.resetAt <= at) this.counts.delete(k);
          if (this.counts.size >= MEMORY_KEYS) this.counts.delete(this.counts.keys().next().value!);
        }
        entry = { hits: 0, resetAt: at + timeWindow };
        this.counts.set(key, entry);
      }
      entry.hits++;
      callback(null, { current: entry.hits, ttl: entry.resetAt - at });
    }

    child(): FastifyRateLimitStore {
      return new MemoryStore();
    }
  }
  return MemoryStore;
}

/**
 * A rate-limit store (for @fastify/rate-limit) that counts in the database, so that several API processes
 * on one PostgreSQL server share each key's limit instead of allowing it once per process. One statement
 * per counted request: the window starts at the first hit and resets when it has passed, on the app's clock
 * (`now`; the processes' clocks agree far closer than a window).
 */
export function databaseRateLimitStore(database: Database, now: () => Date): FastifyRateLimitStoreCtor {
  class DatabaseStore implements FastifyRateLimitStore {
    incr(key: string, callback: Counted, timeWindow: number): void {
      const at = now();
      const stamp = sql`${at.toISOString()}::timestamptz`;
      const fresh = new Date(at.getTime() + timeWindow);
      database.db
        .insert(rateLimits)
        .values({ key, hits: 1, resetAt: fresh })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: {
            hits: sql`case when ${rateLimits.resetAt} <= ${stamp} then 1 else ${rateLimits.hits} + 1 end`,
            resetAt: sql`case when ${rateLimits.resetAt} <= ${stamp} then excluded.reset_at else ${rateLimits.resetAt}
                end`,
          },
        })
        .returning({
          current: rateLimits.hits,
          resetAt: rateLimits.resetAt,
        })
        .then(([row]) =>
          callback(null, { current: row!.current, ttl: Math.max(0, row!.resetAt.getTime() - at.getTime()) }),
        )
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    }

    child(): FastifyRateLimitStore {
      return new DatabaseStore();
    }
  }
  return DatabaseStore;
}

/** Deletes counters whose window ended by `now` (the lifecycle sweep calls it). */
export async function pruneRateLimits(database: Database, now: Date): Promise<number> {
  const deleted = await database.db
    .delete(rateLimits)
    .where(lt(rateLimits.resetAt, now))
    .returning({ key: rateLimits.key });
  return deleted.length;
}
