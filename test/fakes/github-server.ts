/**
 * A fake of GitHub's REST API for issues: `POST /repos/{owner}/{repo}/issues` (201, the issue with
 * `number` and `html_url`), `PATCH /repos/{owner}/{repo}/issues/{number}` (200) and
 * `POST /repos/{owner}/{repo}/issues/{number}/comments` (201). Needs `Authorization: Bearer <token>`
 * (else 401 "Bad credentials"); a missing title gets 422, an unknown repository or issue 404.
 */
import { serveLocally } from './http.js';

export interface FakeGithubIssue {
  id: number;
  number: number;
  html_url: string;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  comments: string[];
}

export interface FakeGithub {
  apiUrl: string;
  issues: FakeGithubIssue[];
  requests: { method: string; path: string; headers: import('node:http').IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startFakeGithub(token: string, repo: { owner: string; repo: string }): Promise<FakeGithub> {
  const issues: FakeGithubIssue[] = [];
  const requests: FakeGithub['requests'] = [];
  const server = await serveLocally((req, raw) => {
    const send = (status: number, body: unknown) => ({
      answer: (res: import('node:http').ServerResponse) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      },
    });
    const path = req.url ?? '';
    requests.push({ method: req.method ?? '', path, headers: req.headers });
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const m = /^\/repos\/([^/]+)\/([^/]+)\/issues(?:\/(\d+)(\/comments)?)?$/.exec(path);
    if (!m || m[1] !== repo.owner || m[2] !== repo.repo)
      return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
    if (!m[3] && req.method === 'POST') {
      if (!body.title)
        return send(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
        });
      const number = issues.length + 1;
      const issue: FakeGithubIssue = {
        id: 1000 + number,
        number,
        html_url: `https://github.com/${repo.owner}/${repo.repo}/issues/${number}`,
        title: body.title,
        body: body.body ?? '',
        labels: body.labels ?? [],
        state: 'open',
        comments: [],
      };
      issues.push(issue);
      return send(201, { ...issue, comments: 0 });
    }
    const issue = issues.find((i) => i.number === Number(m[3]));
    if (!issue) return send(404, { message: 'Not Found' });
    if (m[4] && req.method === 'POST') {
      issue.comments.push(body.body);
      return send(201, {
        id: issue.comments.length,
        body: body.body,
        html_url: `${issue.html_url}#issuecomment-${issue.comments.length}`,
      });
    }
    if (!m[4] && req.method === 'PATCH') {
      Object.assign(issue, {
        title: body.title ?? issue.title,
        body: body.body ?? issue.body,
        state: body.state ?? issue.state,
      });
      return send(200, { ...issue, comments: issue.comments.length });
    }
    return send(404, { message: 'Not Found' });
  });
  return { apiUrl: server.origin, issues, requests, close: () => server.close() };
}
