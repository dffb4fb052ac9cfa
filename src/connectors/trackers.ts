/**
 * Where bug reports go: Linear (official `@linear/sdk`), GitHub Issues (REST) or a generic webhook,
 * behind one port; and the verification of their webhooks (Linear-Signature, X-Hub-Signature-256).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LinearClient } from '@linear/sdk';
import { DeskmindError } from '../domain/errors.js';
import { signPayload } from '../resolution/actions.js';
import { outboundRefusal, type OutboundGuard } from '../security/outbound-url.js';
import type { InsightsSettings } from '../insights/settings.js';

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

export interface BugTracker {
  readonly kind: 'linear' | 'github' | 'webhook';
  create(report: TrackerReport): Promise<TrackerIssue>;
  /** Updates the issue's title and description and adds a comment saying what changed. */
  update(issue: TrackerIssue, report: TrackerReport, comment: string): Promise<void>;
}

const fail = (vendor: string, err: unknown): never => {
  const refusal = outboundRefusal(err);
  throw new DeskmindError('tracker_unavailable', refusal ? `${vendor} was not called: ${refusal.message}` : `${vendor} did not accept the report`, { cause: err });
};

/**
 * Linear through its SDK; `apiUrl` may point at a local server (tests, proxies). The SDK calls the global
 * `fetch`, so a custom `apiUrl` goes through `checkUrl` (the outbound URL guard, after DNS) before each call.
 */
export function linearTracker(opts: { apiKey: string; teamId: string; apiUrl?: string | undefined; checkUrl?: (url: string) => Promise<void> }): BugTracker {
  const client = new LinearClient({ apiKey: opts.apiKey, ...(opts.apiUrl ? { apiUrl: opts.apiUrl } : {}) });
  const precheck = async () => {
    if (opts.apiUrl && opts.checkUrl) await opts.checkUrl(opts.apiUrl);
  };
  return {
    kind: 'linear',
    async create(report) {
      try {
        await precheck();
        const payload = await client.createIssue({ teamId: opts.teamId, title: report.title, description: report.body });
        const id = payload.issueId;
        if (!payload.success || !id) throw new Error('issueCreate returned no issue');
        // The key and URL are nice to have; the issue exists without them.
        const ref = await client.client
          .rawRequest<{ issue?: { identifier?: string; url?: string } }, { id: string }>('query IssueRef($id: String!) { issue(id: $id) { identifier url } }', { id })
          .then((r) => r.data?.issue)
          .catch(() => undefined);
        return { id, key: ref?.identifier ?? null, url: ref?.url ?? null };
      } catch (err) {
        return fail('Linear', err);
      }
    },
    async update(issue, report, comment) {
      try {
        await precheck();
        await client.updateIssue(issue.id, { title: report.title, description: report.body });
        await client.createComment({ issueId: issue.id, body: comment });
      } catch (err) {
        fail('Linear', err);
      }
    },
  };
}

/** GitHub Issues through the REST API (`POST/PATCH /repos/{owner}/{repo}/issues`, comments). */
export function githubTracker(opts: { token: string; owner: string; repo: string; apiUrl?: string | undefined }, fetchImpl: typeof fetch = fetch): BugTracker {
  const base = `${(opts.apiUrl ?? 'https://api.github.com').replace(/\/$/, '')}/repos/${encodeURIComponent(opts.owner)}/${encodeURIComponent(opts.repo)}`;
  const call = async (method: string, path: string, body: unknown) => {
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${opts.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json', 'user-agent': 'deskmind' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      return fail('GitHub', err);
    }
    if (!res.ok) fail('GitHub', new Error(`${method} ${path}: HTTP ${res.status} ${await res.text().catch(() => '')}`));
    return (await res.json()) as Record<string, unknown>;
  };
  return {
    kind: 'github',
    async create(report) {
      const issue = await call('POST', '/issues', { title: report.title, body: report.body, labels: ['bug'] });
      return { id: String(issue.number), key: `#${issue.number}`, url: typeof issue.html_url === 'string' ? issue.html_url : null };
    },
    async update(issue, report, comment) {
      await call('PATCH', `/issues/${issue.id}`, { title: report.title, body: report.body });
      await call('POST', `/issues/${issue.id}/comments`, { body: comment });
    },
  };
}

/**
 * A generic webhook: `POST` of `{ event, report }` signed like playbook actions
 * (`X-Deskmind-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, `X-Deskmind-Timestamp`).
 */
export function webhookTracker(opts: { url: string; secret: string; now: () => Date }, fetchImpl: typeof fetch = fetch): BugTracker {
  const post = async (event: string, report: TrackerReport, comment: string | null) => {
    const body = JSON.stringify({ event, id: report.reportId, title: report.title, markdown: report.body, comment, report: report.report });
    const timestamp = String(Math.floor(opts.now().getTime() / 1000));

    let res: Response;
    try {
      res = await fetchImpl(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-deskmind-timestamp': timestamp, 'x-deskmind-signature': signPayload(opts.secret, timestamp, body), 'idempotency-key': `${report.reportId}:${event}:${(report.report.linkedTickets as unknown[] | undefined)?.length ?? 0}` },
        body,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      return fail('The webhook', err);
    }
    if (!res.ok) fail('The webhook', new Error(`HTTP ${res.status}`));
  };
  return {
    kind: 'webhook',
    async create(report) {
      await post('bug_report.created', report, null);
      return { id: report.reportId, key: null, url: null };
    },
    async update(_issue, report, comment) {
      await post('bug_report.updated', report, comment);
    },
  };
}

/** The outbound URL guard as trackers use it: its fetch, and a DNS-time check for SDKs that cannot take a fetch. */
export type TrackerOutbound = Pick<OutboundGuard, 'fetch' | 'checkResolved'>;

/** The tracker the settings choose, or null (destination `none`, or not fully configured). Its calls go through the outbound URL guard. */
export function trackerFor(settings: InsightsSettings['bugReports'], signingSecret: string, now: () => Date, outbound: TrackerOutbound): BugTracker | null {
  const { linear, github, webhook } = settings;
  if (settings.destination === 'linear' && linear.apiKey && linear.teamId) return linearTracker({ apiKey: linear.apiKey, teamId: linear.teamId, apiUrl: linear.apiUrl, checkUrl: (url) => outbound.checkResolved(url) });
  if (settings.destination === 'github' && github.token && github.owner && github.repo) return githubTracker({ token: github.token, owner: github.owner, repo: github.repo, apiUrl: github.apiUrl }, outbound.fetch);
  if (settings.destination === 'webhook' && webhook.url) return webhookTracker({ url: webhook.url, secret: signingSecret, now }, outbound.fetch);
  return null;
}

// ── inbound webhooks ────────────────────────────────────────────────────────

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Linear: `Linear-Signature` is the hex HMAC-SHA256 of the raw body with the webhook's signing secret. */
export function verifyLinearSignature(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  return safeEqualHex(header.trim().toLowerCase(), createHmac('sha256', secret).update(rawBody).digest('hex'));
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function verifyGithubSignature(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  return safeEqualHex(header.slice(7).trim().toLowerCase(), createHmac('sha256', secret).update(rawBody).digest('hex'));
}

/** The issue a Linear webhook says was completed or cancelled, or null. */
export function linearClosedIssue(payload: Record<string, unknown>): string | null {
  if (payload.type !== 'Issue' || payload.action !== 'update') return null;
  const data = payload.data as { id?: unknown; state?: { type?: unknown }; completedAt?: unknown; canceledAt?: unknown } | undefined;
  if (typeof data?.id !== 'string') return null;
  const stateType = data.state?.type;
  return stateType === 'completed' || stateType === 'canceled' || (!stateType && (data.completedAt || data.canceledAt)) ? data.id : null;
}

/** The issue number a GitHub `issues` webhook says was closed, with its repository (`owner/repo`), or null. */
export function githubClosedIssue(event: string | undefined, payload: Record<string, unknown>): { number: string; repo: string | null } | null {
  if (event !== 'issues' || payload.action !== 'closed') return null;
  const issue = payload.issue as { number?: unknown } | undefined;
  if (typeof issue?.number !== 'number') return null;
  const repo = (payload.repository as { full_name?: unknown } | undefined)?.full_name;
  return { number: String(issue.number), repo: typeof repo === 'string' ? repo : null };
}
