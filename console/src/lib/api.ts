import type { FieldIssue } from '../../../src/domain/errors.js';

/** The console's HTTP client: same-origin JSON with the session cookie, CSRF header, problem+json errors. */
export class ApiError extends Error {
  /**
   * The problem's field issues, with paths as the form names its fields: "conditions.intent.0", "template"
   * (the server's "body." / "params." prefix is dropped).
   */
  readonly issues: FieldIssue[];
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    issues: FieldIssue[] = [],
  ) {
    super(message);
    this.issues = issues.map((i) => ({ ...i, path: i.path.replace(/^(body|params)(\.|$)/, '') }));
  }
}

function cookie(name: string): string | null {
  const m = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return m ? decodeURIComponent(m.slice(name.length + 1)) : null;
}

/** Calls the API under /api/v1; throws ApiError with the problem's code and detail. */
export async function api<T = unknown>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const csrf = cookie('deskmind_csrf');
  const res = await fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => null)) as
    | (T & { code?: string; detail?: string; issues?: FieldIssue[] })
    | null;
  if (!res.ok) {
    const err = new ApiError(
      res.status,
      json?.code ?? 'error',
      json?.detail ?? `Request failed (${res.status})`,
      json?.issues,
    );
    if (res.status === 401 && !path.startsWith('/auth/'))
      window.dispatchEvent(new CustomEvent('deskmind:unauthorized'));
    throw err;
  }
  return json as T;
}

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
