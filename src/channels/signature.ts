/** Header names of a signed webhook delivery. */
export const HEADERS = {
  event: 'x-deskmind-event',
  delivery: 'x-deskmind-delivery',
  sequence: 'x-deskmind-sequence',
  timestamp: 'x-deskmind-timestamp',
  signature: 'x-deskmind-signature',
} as const;

/**
 * Deliveries are signed like playbook actions, with `signPayload` of resolution/actions.ts:
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; its `verifySignature(secret, timestamp, body, header)` is
 * what a receiver runs.
 */
export { signPayload } from '../resolution/actions.js';
