import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Deskmind } from '../app.js';
import { DeskmindError } from '../domain/errors.js';
import { recordAudit } from '../security/audit.js';
import { retryAfterSeconds, type ThrottleKey } from '../security/throttle.js';
import { assertStorableText } from '../domain/text.js';
import { SESSION_COOKIE } from './auth.js';
import { refuseAttempt } from './refuse-attempt.js';

/** The readable cookie of the double-submit CSRF check; the console echoes it in `X-CSRF-Token`. */
export const CSRF_COOKIE = 'deskmind_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** A fresh CSRF token for a new console session. */
export const newCsrfToken = (): string => randomBytes(24).toString('base64url');

/** Sets the CSRF cookie beside the session cookie (readable by the console's script, same lifetime). */
export function setCsrfCookie(reply: FastifyReply, config: Pick<Config, 'secureCookies'>, expires: Date): void {
  reply.setCookie(CSRF_COOKIE, newCsrfToken(), {
    httpOnly: false,
    sameSite: 'lax',
    secure: config.secureCookies,
    path: '/',
    expires,
  });
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The double-submit check: a mutating request under /api authenticated by the session cookie must carry
 * `X-CSRF-Token` equal to the `deskmind_csrf` cookie. Bearer-key requests and public routes (login, widget,
 * webhooks) are exempt, except public routes marked `csrf: true` (logout), which act on the session. Runs
 * after authentication.
 */
export function checkCsrf(request: FastifyRequest): void {
  if (!MUTATING.has(request.method) || !request.url.startsWith('/api/')) return;
  const config = request.routeOptions.config;
  if (config?.access === 'public' && !config.csrf) return;
  if (request.headers.authorization) return;
  if (request.principal?.kind !== 'agent' || !request.cookies?.[SESSION_COOKIE]) return;
  const cookie = request.cookies[CSRF_COOKIE];
  const header = request.headers[CSRF_HEADER];
  const sent = Array.isArray(header) ? header[0] : header;
  if (!cookie || !sent || !safeEqual(cookie, sent)) {
    throw new DeskmindError('csrf_failed', `Send the ${CSRF_COOKIE} cookie's value in the X-CSRF-Token header`);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Runs a credential check under throttling (`security/throttle.ts`): refused unchecked while any of `keys`
 * waits; a failure (`failed(err)`) is counted against them, and one that starts a wait is audited as `action`
 * in the workspaces it concerns (bounded by the throttle itself: at most one entry per wait).
 */
export async function throttledAttempt<T>(
  desk: Deskmind,
  request: FastifyRequest,
  reply: FastifyReply,
  opts: {
    keys: ThrottleKey[];
    what: string;
    failed: (err: unknown) => boolean;
    action: string;
    workspaceIds: () => Promise<string[]>;
    data: Record<string, unknown>;
  },
  attempt: () => Promise<T>,
): Promise<T> {
  const wait = await desk.throttle.waitMs(opts.keys);
  if (wait > 0) refuseAttempt(reply, wait, opts.what);
  try {
    return await attempt();
  } catch (err) {
    if (!opts.failed(err)) throw err;
    const counted = await desk.throttle.fail(opts.keys);
    if (counted.waitMs > 0) {
      const data = {
        ...opts.data,
        failures: Math.max(...counted.failures),
        retryAfterSeconds: retryAfterSeconds(counted.waitMs),
      };
      for (const workspaceId of new Set(await opts.workspaceIds())) {
        await recordAudit(desk.database.db, {
          workspaceId,
          actorType: 'system',
          actorId: null,
          action: opts.action,
          target: {},
          data,
          status: 401,
          ip: request.ip,
          at: desk.now(),
        }).catch((e: unknown) =>
          request.log.error({ err: e, action: opts.action }, 'could not record the audit log entry'),
        );
      }
      request.log.warn({ action: opts.action, ip: request.ip, ...data }, 'throttled repeated failures');
    }
    throw err;
  }
}

/** The credential a request presents (API key or session token), hashed: the per-key rate-limit bucket. */
function credentialKey(request: FastifyRequest): string | null {
  const cred = request.headers.authorization ?? request.cookies?.[SESSION_COOKIE];
  return cred ? createHash('sha256').update(cred).digest('base64url').slice(0, 22) : null;
}

/**
 * Security headers (helmet; a CSP that lets the console load its own scripts and styles, and lets other
 * origins embed the widget script) and rate limits per credential and per client IP on /api.
 * Limits are counted in `store` (./rate-limit-store.ts: the database's, shared by every API process, on a PostgreSQL
 * server, or this process's memory), on the app's clock; a 429 is `rate_limited` problem+json with `Retry-After`.
 */
export async function registerSecurity(
  app: FastifyInstance,
  config: Pick<Config, 'rateLimitPerMinute' | 'rateLimitIpPerMinute'>,
  store: FastifyRateLimitStoreCtor,
): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The widget's script and API are used from customers' own sites.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    strictTransportSecurity: false, // set by the TLS-terminating proxy, which knows whether HTTPS is in use
  });

  // Text PostgreSQL cannot store (NUL, a lone surrogate) is refused in every input before any handler runs.
  app.addHook('preValidation', async (request) => refuseUnstorableText(request));

  // A failing shared store lets requests through rather than refusing them all.
  await app.register(rateLimit, { global: false, store, skipOnError: true });
  const limiters: { max: number; key: (r: FastifyRequest) => string | null }[] = [];
  if (config.rateLimitIpPerMinute > 0) limiters.push({ max: config.rateLimitIpPerMinute, key: (r) => `ip:${r.ip}` });
  if (config.rateLimitPerMinute > 0)
    limiters.push({
      max: config.rateLimitPerMinute,
      key: (r) => {
        const k = credentialKey(r);
        return k && `key:${k}`;
      },
    });
  const checks = limiters.map(({ max, key }) => ({
    key,
    check: app.createRateLimit({ max, timeWindow: 60_000, keyGenerator: (r) => key(r) ?? 'none' }),
  }));
  if (!checks.length) return;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    for (const { key, check } of checks) {
      if (key(request) === null) continue;
      const r = await check(request);
      if (!r.isAllowed && r.isExceeded) {
        reply.header('retry-after', String(r.ttlInSeconds));
        throw new DeskmindError('rate_limited', `Too many requests; retry in ${r.ttlInSeconds} s`);
      }
    }
  });
}

/** Request headers that are stored (and so must be storable text). */
const STORED_HEADERS = ['idempotency-key'] as const;

/**
 * Refuses (`invalid_text`, 400) a request whose body, query string, path parameters or stored headers hold a
 * NUL or a lone UTF-16 surrogate: valid JSON, but text PostgreSQL cannot store, which would otherwise fail
 * half-way through a write.
 */
export function refuseUnstorableText(request: FastifyRequest): void {
  assertStorableText(request.params, 'params');
  assertStorableText(request.query, 'query');
  for (const h of STORED_HEADERS) assertStorableText(request.headers[h], `header.${h}`);
  if (!Buffer.isBuffer(request.body)) assertStorableText(request.body, 'body');
}
