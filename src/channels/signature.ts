/** Header names of a signed webhook delivery. */
export const HEADERS = {
  event: 'x-deskmind-event',
  delivery: 'x-deskmind-delivery',
  sequence: 'x-deskmind-sequence',
  timestamp: 'x-deskmind-timestamp',
  signature: 'x-deskmind-signature',
} as const;

/**
 * Deliveries are signed like playbook actions: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`;
 * `verifySignature(secret, timestamp, body, header)` is what a receiver runs.
 */
export { signPayload, verifySignature } from '../resolution/actions.js';
