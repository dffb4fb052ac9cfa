/** GitHub Issues (REST): where bug reports can go, and the verification of its webhooks (X-Hub-Signature-256). */
import { z } from 'zod';
import { DeskmindError } from '../domain/errors.js';
import { defineConnector, defineTracker } from './connector.js';
import { hmacMatches, trackerFailure, trackerSecret, trackerUrl, type BugTracker } from './trackers.js';

/** GitHub Issues through the REST API (`POST/PATCH /repos/{owner}/{repo}/issues`, comments). */
export function githubTracker(
  opts: { token: string; owner: string; repo: string; apiUrl?: string | undefined },
  fetchImpl: typeof fetch = fetch,
): BugTracker<'github'> {
  const base =
    `${(opts.apiUrl ?? 'https://api.github.com').replace(/\/$/, '')}/repos/${encodeURIComponent(opts.owner)}/` +
    `${encodeURIComponent(opts.repo)}`;
  const call = async (method: string, path: string, body: unknown) => {
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${opts.token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'content-type': 'application/json',
          'user-agent': 'deskmind',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      return trackerFailure('GitHub', err);
    }
    if (!res.ok)
      trackerFailure('GitHub', new Error(`${method} ${path}: HTTP ${res.status} ${await res.text().catch(() => '')}`));
    return (await res.json()) as Record<string, unknown>;
  };
  return {
    kind: 'github',
    async create(report) {
      const issue = await call('POST', '/issues', { title: report.title, body: report.body, labels: ['bug'] });
      return {
        id: String(issue.number),
        key: `#${issue.number}`,
        url: typeof issue.html_url === 'string' ? issue.html_url : null,
      };
    },
    async update(issue, report, comment) {
      await call('PATCH', `/issues/${issue.id}`, { title: report.title, body: report.body });
      await call('POST', `/issues/${issue.id}/comments`, { body: comment });
    },
  };
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function verifyGithubSignature(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  return hmacMatches(header.slice(7).trim().toLowerCase(), rawBody, secret);
}

/** The issue number a GitHub `issues` webhook says was closed, with its repository (`owner/repo`), or null. */
export function githubClosedIssue(
  event: string | undefined,
  payload: Record<string, unknown>,
): { number: string; repo: string | null } | null {
  if (event !== 'issues' || payload.action !== 'closed') return null;
  const issue = payload.issue as { number?: unknown } | undefined;
  if (typeof issue?.number !== 'number') return null;
  const repo = (payload.repository as { full_name?: unknown } | undefined)?.full_name;
  return { number: String(issue.number), repo: typeof repo === 'string' ? repo : null };
}

const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/** Bug reports as GitHub issues (`insights.bugReports.github`: token, owner, repo, apiUrl?, webhookSecret?). */
export const githubConnector = defineConnector({
  id: 'github',
  title: 'GitHub Issues (bug reports)',
  tracker: defineTracker({
    kind: 'github',
    settings: z.object({
      token: trackerSecret,
      owner: z.string().max(200),
      repo: z.string().max(200),
      apiUrl: trackerUrl,
      webhookSecret: trackerSecret,
    }),
    secrets: ['token', 'webhookSecret'],
    urls: ['apiUrl'],
    create: (github, { outbound }) =>
      github.token && github.owner && github.repo
        ? githubTracker(
            { token: github.token, owner: github.owner, repo: github.repo, apiUrl: github.apiUrl },
            outbound.fetch,
          )
        : null,
    webhook: {
      summary:
        'GitHub `issues` webhook: a closed issue closes its report and resolves the linked tickets. ' +
        'Verified by X-Hub-Signature-256.',
      closedIssue({ settings, raw, headers, body }) {
        const secret = settings.webhookSecret;
        if (!secret || !verifyGithubSignature(raw, header(headers['x-hub-signature-256']), secret))
          throw new DeskmindError('invalid_signature');
        const closed = githubClosedIssue(header(headers['x-github-event']), body);
        // An issue of another repository (one webhook on several) is none of this workspace's.
        if (
          closed?.repo &&
          settings.owner &&
          settings.repo &&
          closed.repo.toLowerCase() !== `${settings.owner}/${settings.repo}`.toLowerCase()
        )
          return null;
        return closed?.number ?? null;
      },
    },
  }),
});
