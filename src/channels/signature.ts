import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a signed webhook delivery. */
export const HEADERS = {
  event: 'x-deskmind-event',
  delivery: 'x-deskmind-delivery',
  sequence: 'x-deskmind-sequence',
  timestamp: 'x-deskmind-timestamp',
  signature: 'x-deskmind-signature',
} as const;

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a delivery's signature as a receiver should: constant-time comparison, and a timestamp no further
 * than `toleranceSeconds` from `nowSeconds` (refuses replays of old deliveries).
 *
 * @example verifySignature(secret, req.headers['x-deskmind-timestamp'], req.headers['x-deskmind-signature'], rawBody)
 */
export function verifySignature(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: string,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
