/**
 * The port bug reports go through: Linear (`linear.ts`), GitHub Issues (`github.ts`) or a generic webhook
 * (`webhooks.ts`), each a connector with a `tracker` (`defineTracker` in `connector.ts`); the workspace's choice
 * is `trackerFor` in the registry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DeskmindError } from '../domain/errors.js';
import { outboundRefusal, type OutboundGuard } from '../security/outbound-url.js';

/** An engineering issue a report is linked to. */
export interface TrackerIssue {
  /** The tracker's id of the issue (Linear issue id, GitHub issue number, the report id for webhooks). */
  id: string;
  /** Human key (e.g. `ENG-42`, `#17`). */
  key: string | null;
  url: string | null;
}

/** A report as a tracker receives it. */
export interface TrackerReport {
  reportId: string;
  title: string;
  /** Markdown description. */
  body: string;
  /** Raw structured report (for webhooks). */
  report: Record<string, unknown>;
}

/** A tracker connector's client; `kind` is its tracker's (the registry's `TrackerKind`). */
export interface BugTracker<K extends string = string> {
  readonly kind: K;
  create(report: TrackerReport): Promise<TrackerIssue>;
  /** Updates the issue's title and description and adds a comment saying what changed. */
  update(issue: TrackerIssue, report: TrackerReport, comment: string): Promise<void>;
}

/** Throws `tracker_unavailable` for a failed tracker call (saying so when the outbound URL guard refused it). */
export const trackerFailure = (vendor: string, err: unknown): never => {
  const refusal = outboundRefusal(err);
  throw new DeskmindError(
    'tracker_unavailable',
    refusal ? `${vendor} was not called: ${refusal.message}` : `${vendor} did not accept the report`,
    { cause: err },
  );
};

/** The outbound URL guard as trackers use it: its fetch, and a DNS-time check for SDKs that cannot take a fetch. */
export type TrackerOutbound = Pick<OutboundGuard, 'fetch' | 'checkResolved'>;

/** Compares a received hex HMAC-SHA256 of `rawBody` with the expected one, in constant time. */
export function hmacMatches(given: string, rawBody: string, secret: string): boolean {
  const x = Buffer.from(given, 'utf8');
  const y = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A token or signing secret in a tracker's settings. */
export const trackerSecret = z.string().min(1).max(500);
/** An API or webhook address in a tracker's settings (checked by the outbound URL guard when saved). */
export const trackerUrl = z.url().max(2048);
