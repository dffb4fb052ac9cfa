import { createHash } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../store/db.js';
import { rateLimits } from '../store/schema.js';

/**
 * Throttling of credential guessing (console passwords, widget user hashes, API keys): after `free` failures
 * of one key, each further failure makes the next attempt wait `baseMs`, doubling up to `maxMs`; attempts
 * while waiting are refused unchecked (`too_many_attempts` with `Retry-After`). Nothing is ever locked for
 * good: the wait never exceeds `maxMs`, and the failures are forgotten `forgetMs` after the last one.
 */
export interface ThrottleRule {
  name: string;
  free: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
}

const MINUTE = 60_000;
const rule = (name: string, free: number, maxMs: number): ThrottleRule => ({
  name,
  free,
  baseMs: 1000,
  maxMs,
  forgetMs: 60 * MINUTE,
});

/**
 * The rules. An account is throttled hard for the address guessing it, and only mildly (at most a minute's
 * wait) across all addresses, so that an attacker can slow a victim's logins but never shut them out.
 */
export const THROTTLES = {
  /** One account's password, from one address. */
  loginAccountAddress: rule('login.account_address', 5, 15 * MINUTE),
  /** One account's password, from anywhere (distributed guessing). */
  loginAccount: rule('login.account', 50, MINUTE),
  /** Any accounts' passwords, from one address (spraying). */
  loginAddress: rule('login.address', 20, 15 * MINUTE),
  /** One widget user id's hash, from anywhere. */
  widgetUser: rule('widget.user', 5, MINUTE),
  /** Widget user hashes, from one address. */
  widgetAddress: rule('widget.address', 20, 15 * MINUTE),
  /** Unknown API keys, from one address. */
  apiKeyAddress: rule('api_key.address', 10, 15 * MINUTE),
} satisfies Record<string, ThrottleRule>;

/** A rule applied to one subject (an email, an address …). */
export interface ThrottleKey {
  rule: ThrottleRule;
  subject: string;
}

/** The wait after `failures` failures under `rule` (0 while they are within its free attempts). */
export function throttleDelayMs(rule: ThrottleRule, failures: number): number {
  if (failures <= rule.free) return 0;
  return Math.min(rule.maxMs, rule.baseMs * 2 ** Math.min(30, failures - rule.free - 1));
}

/** The counter's row key: the subject hashed, so no email or address is stored in clear. */
const rowKey = (k: ThrottleKey) =>
  `throttle:${k.rule.name}:${createHash('sha256').update(k.subject).digest('base64url').slice(0, 27)}`;

/** What a counted failure left: the longest wait it imposes and the failures of each key. */
export interface FailureResult {
  waitMs: number;
  failures: number[];
}

/**
 * Failure counters in the database (the `rate_limits` table, shared by every API process of a server; `hits`
 * = failures, `reset_at` = when they are forgotten, i.e. the last failure + `forgetMs`), on the injected clock.
 */
export class Throttle {
  constructor(
    private readonly database: Pick<Database, 'db'>,
    private readonly now: () => Date,
  ) {}

  /** How long the attempt must still wait (0: it may be checked). */
  async waitMs(keys: ThrottleKey[]): Promise<number> {
    const byRow = new Map(keys.map((k) => [rowKey(k), k]));
    const rows = await this.database.db
      .select()
      .from(rateLimits)
      .where(inArray(rateLimits.key, [...byRow.keys()]));
    const now = this.now().getTime();
    let wait = 0;
    for (const row of rows) {
      const k = byRow.get(row.key)!;
      if (row.resetAt.getTime() <= now) continue;
      const until = row.resetAt.getTime() - k.rule.forgetMs + throttleDelayMs(k.rule, row.hits);
      wait = Math.max(wait, until - now);
    }
    return wait;
  }

  /** Counts a failed attempt against each key; returns the wait it now imposes. */
  async fail(keys: ThrottleKey[]): Promise<FailureResult> {
    const now = this.now();
    let waitMs = 0;
    const failures: number[] = [];
    for (const k of keys) {
      const key = rowKey(k);
      const forgetAt = new Date(now.getTime() + k.rule.forgetMs);
      const [row] = await this.database.db
        .insert(rateLimits)
        .values({ key, hits: 1, resetAt: forgetAt })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: {
            hits: sql`case when ${rateLimits.resetAt} <= ${now} then 1 else ${rateLimits.hits} + 1 end`,
            resetAt: forgetAt,
          },
        })
        .returning({ hits: rateLimits.hits });
      const delay = throttleDelayMs(k.rule, row!.hits);
      failures.push(row!.hits);
      waitMs = Math.max(waitMs, delay);
    }
    return { waitMs, failures };
  }

  /** Forgets the failures of keys (after a success). */
  async clear(keys: ThrottleKey[]): Promise<void> {
    await this.database.db.delete(rateLimits).where(inArray(rateLimits.key, keys.map(rowKey)));
  }
}

/** Seconds for a `Retry-After` header (at least 1). */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
