import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { lt, sql } from 'drizzle-orm';
import type { Database } from '../store/db.js';
import { rateLimits } from '../store/schema.js';

/**
 * A rate-limit store (for @fastify/rate-limit) that counts in the database, so that several API processes
 * on one PostgreSQL server share each key's limit instead of allowing it once per process. One statement
 * per counted request: the window starts at the first hit and resets when it has passed.
 */
export function databaseRateLimitStore(database: Database): FastifyRateLimitStoreCtor {
  class DatabaseStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const fresh = sql`now() + ${timeWindow} * interval '1 millisecond'`;
      database.db
        .insert(rateLimits)
        .values({ key, hits: 1, resetAt: fresh })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: {
            hits: sql`case when ${rateLimits.resetAt} <= now() then 1 else ${rateLimits.hits} + 1 end`,
            resetAt: sql`case when ${rateLimits.resetAt} <= now() then excluded.reset_at else ${rateLimits.resetAt}
                end`,
          },
        })
        .returning({
          current: rateLimits.hits,
          ttl: sql<string>`greatest(0, ceil(extract(epoch from ${rateLimits.resetAt} - now()) * 1000))`,
        })
        .then(([row]) => callback(null, { current: row!.current, ttl: Number(row!.ttl) }))
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    }

    child(): FastifyRateLimitStore {
      return new DatabaseStore();
    }
  }
  return DatabaseStore;
}

/** Deletes counters whose window ended (the lifecycle sweep calls it). */
export async function pruneRateLimits(database: Database): Promise<number> {
  const deleted = await database.db
    .delete(rateLimits)
    .where(lt(rateLimits.resetAt, sql`now()`))
    .returning({ key: rateLimits.key });
  return deleted.length;
}
