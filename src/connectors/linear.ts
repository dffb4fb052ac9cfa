/** Linear (official `@linear/sdk`): where bug reports can go, and the verification of its webhooks (Linear-Signature).
 */
import { LinearClient } from '@linear/sdk';
import { z } from 'zod';
import { DeskmindError } from '../domain/errors.js';
import { defineConnector, defineTracker } from './connector.js';
import { hmacMatches, trackerFailure, trackerSecret, trackerUrl, type BugTracker } from './trackers.js';

/**
 * Linear through its SDK; `apiUrl` may point at a local server (tests, proxies). The SDK calls the global
 * `fetch`, so a custom `apiUrl` goes through `checkUrl` (the outbound URL guard, after DNS) before each call.
 */
export function linearTracker(opts: {
  apiKey: string;
  teamId: string;
  apiUrl?: string | undefined;
  checkUrl?: (url: string) => Promise<void>;
}): BugTracker<'linear'> {
  const client = new LinearClient({ apiKey: opts.apiKey, ...(opts.apiUrl ? { apiUrl: opts.apiUrl } : {}) });
  const precheck = async () => {
    if (opts.apiUrl && opts.checkUrl) await opts.checkUrl(opts.apiUrl);
  };
  return {
    kind: 'linear',
    async create(report) {
      try {
        await precheck();
        const payload = await client.createIssue({
          teamId: opts.teamId,
          title: report.title,
          description: report.body,
        });
        const id = payload.issueId;
        if (!payload.success || !id) throw new Error('issueCreate returned no issue');
        // The key and URL are nice to have; the issue exists without them.
        const ref = await client.client
          .rawRequest<{ issue?: { identifier?: string; url?: string } }, { id: string }>(
            'query IssueRef($id: String!) { issue(id: $id) { identifier url } }',
            { id },
          )
          .then((r) => r.data?.issue)
          .catch(() => undefined);
        return { id, key: ref?.identifier ?? null, url: ref?.url ?? null };
      } catch (err) {
        return trackerFailure('Linear', err);
      }
    },
    async update(issue, report, comment) {
      try {
        await precheck();
        await client.updateIssue(issue.id, { title: report.title, description: report.body });
        await client.createComment({ issueId: issue.id, body: comment });
      } catch (err) {
        trackerFailure('Linear', err);
      }
    },
  };
}

/** Linear: `Linear-Signature` is the hex HMAC-SHA256 of the raw body with the webhook's signing secret. */
export function verifyLinearSignature(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  return hmacMatches(header.trim().toLowerCase(), rawBody, secret);
}

/** The issue a Linear webhook says was completed or cancelled, or null. */
export function linearClosedIssue(payload: Record<string, unknown>): string | null {
  if (payload.type !== 'Issue' || payload.action !== 'update') return null;
  const data = payload.data as
    | { id?: unknown; state?: { type?: unknown }; completedAt?: unknown; canceledAt?: unknown }
    | undefined;
  if (typeof data?.id !== 'string') return null;
  const stateType = data.state?.type;
  return stateType === 'completed' || stateType === 'canceled' || (!stateType && (data.completedAt || data.canceledAt))
    ? data.id
    : null;
}

/** How old a Linear webhook may be (its `webhookTimestamp`, either way) before it is refused as a replay. */
const LINEAR_WEBHOOK_TOLERANCE_MS = 5 * 60_000;

/** Bug reports as Linear issues (`insights.bugReports.linear`: apiKey, teamId, apiUrl?, webhookSecret?). */
export const linearConnector = defineConnector({
  id: 'linear',
  title: 'Linear (bug reports)',
  tracker: defineTracker({
    kind: 'linear',
    settings: z.object({
      apiKey: trackerSecret,
      teamId: z.string().max(200),
      apiUrl: trackerUrl,
      webhookSecret: trackerSecret,
    }),
    secrets: ['apiKey', 'webhookSecret'],
    urls: ['apiUrl'],
    create: (linear, { outbound }) =>
      linear.apiKey && linear.teamId
        ? linearTracker({
            apiKey: linear.apiKey,
            teamId: linear.teamId,
            apiUrl: linear.apiUrl,
            checkUrl: (url) => outbound.checkResolved(url),
          })
        : null,
    webhook: {
      summary:
        'Linear webhook (Issue updates): a completed or cancelled issue closes its report and resolves the ' +
        'linked tickets. Verified by Linear-Signature.',
      closedIssue({ settings, raw, headers, body, now }) {
        const secret = settings.webhookSecret;
        const signature = headers['linear-signature'];
        if (!secret || !verifyLinearSignature(raw, typeof signature === 'string' ? signature : undefined, secret))
          throw new DeskmindError('invalid_signature');
        const ts = body.webhookTimestamp;
        if (typeof ts === 'number' && Math.abs(now.getTime() - ts) > LINEAR_WEBHOOK_TOLERANCE_MS)
          throw new DeskmindError('invalid_signature', 'The webhook is too old (webhookTimestamp)');
        return linearClosedIssue(body);
      },
    },
  }),
});
