/** Refusing a throttled credential attempt, shared by authentication (auth.ts) and its guards (security.ts). */
import type { FastifyReply } from 'fastify';
import { DeskmindError } from '../domain/errors.js';
import { retryAfterSeconds } from '../security/throttle.js';

/** Refuses an attempt that must wait: 429 `too_many_attempts` with `Retry-After`. */
export function refuseAttempt(reply: FastifyReply, waitMs: number, what: string): never {
  const seconds = retryAfterSeconds(waitMs);
  reply.header('retry-after', String(seconds));
  throw new DeskmindError('too_many_attempts', `Too many failed ${what}; try again in ${seconds} s`);
}
