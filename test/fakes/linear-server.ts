/**
 * A fake of Linear's GraphQL API (`POST /graphql`) as the official SDK calls it: the `issueCreate`,
 * `issueUpdate` and `commentCreate` mutations answer `{ data: { <mutation>: { __typename, lastSyncId,
 * success, issue|comment: { id } } } }`, and `issue(id:)` answers the fields asked of it. A personal API key
 * comes as the raw `Authorization` header; a wrong one gets Linear's `AUTHENTICATION_ERROR`.
 */
import { randomUUID } from 'node:crypto';
import { serveLocally } from './http.js';

export interface FakeLinearIssue {
  id: string;
  identifier: string;
  url: string;
  teamId: string;
  title: string;
  description: string;
  comments: string[];
}

export interface FakeLinear {
  /** GraphQL endpoint, e.g. `http://127.0.0.1:1234/graphql`. */
  apiUrl: string;
  issues: FakeLinearIssue[];
  /** Operation names received (`issueCreate`, `issueUpdate`, `commentCreate`, `issue`). */
  operations: string[];
  close(): Promise<void>;
}

export async function startFakeLinear(apiKey: string, teamKey = 'ENG'): Promise<FakeLinear> {
  const issues: FakeLinearIssue[] = [];
  const operations: string[] = [];
  let sync = 1000;
  const server = await serveLocally((req, raw) => {
    const send = (status: number, body: unknown) => ({
      answer: (res: import('node:http').ServerResponse) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      },
    });
    if (req.method !== 'POST' || req.url !== '/graphql') return send(404, { errors: [{ message: 'Not found' }] });
    if (req.headers.authorization !== apiKey) {
      return send(400, {
        errors: [
          {
            message: 'Authentication required, not authenticated',
            extensions: {
              type: 'authentication error',
              code: 'AUTHENTICATION_ERROR',
              userPresentableMessage: 'You need to authenticate.',
            },
          },
        ],
      });
    }
    const { query, variables } = JSON.parse(raw) as { query: string; variables: Record<string, any> };
    const op = /\b(issueCreate|issueUpdate|commentCreate|issue)\s*\(/.exec(query)?.[1];
    operations.push(op ?? 'unknown');
    const notFound = () =>
      send(200, {
        data: null,
        errors: [{ message: 'Entity not found', extensions: { type: 'invalid input', code: 'INVALID_INPUT' } }],
      });
    if (op === 'issueCreate') {
      const input = variables.input as { teamId: string; title: string; description?: string };
      if (!input?.teamId || !input.title)
        return send(200, {
          data: null,
          errors: [{ message: 'Argument Validation Error', extensions: { code: 'INVALID_INPUT' } }],
        });
      const n = issues.length + 1;
      const issue = {
        id: randomUUID(),
        identifier: `${teamKey}-${n}`,
        url: `https://linear.app/acme/issue/${teamKey}-${n}`,
        teamId: input.teamId,
        title: input.title,
        description: input.description ?? '',
        comments: [],
      };
      issues.push(issue);
      return send(200, {
        data: {
          issueCreate: { __typename: 'IssuePayload', lastSyncId: ++sync, success: true, issue: { id: issue.id } },
        },
      });
    }
    if (op === 'issueUpdate') {
      const issue = issues.find((i) => i.id === variables.id);
      if (!issue) return notFound();
      Object.assign(issue, {
        title: variables.input.title ?? issue.title,
        description: variables.input.description ?? issue.description,
      });
      return send(200, {
        data: {
          issueUpdate: { __typename: 'IssuePayload', lastSyncId: ++sync, success: true, issue: { id: issue.id } },
        },
      });
    }
    if (op === 'commentCreate') {
      const issue = issues.find((i) => i.id === variables.input?.issueId);
      if (!issue) return notFound();
      issue.comments.push(variables.input.body);
      return send(200, {
        data: {
          commentCreate: {
            __typename: 'CommentPayload',
            lastSyncId: ++sync,
            success: true,
            comment: { id: randomUUID() },
          },
        },
      });
    }
    if (op === 'issue') {
      const issue = issues.find((i) => i.id === variables.id);
      if (!issue) return notFound();
      return send(200, {
        data: {
          issue: {
            __typename: 'Issue',
            id: issue.id,
            identifier: issue.identifier,
            url: issue.url,
            title: issue.title,
          },
        },
      });
    }
    return send(400, { errors: [{ message: 'Unknown operation' }] });
  });
  return { apiUrl: `${server.origin}/graphql`, issues, operations, close: () => server.close() };
}
