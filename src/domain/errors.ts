/**
 * The one catalogue of Deskmind errors: a stable code, a title safe to show, and the HTTP status the
 * API answers with. Domain code throws `DeskmindError`; the server maps it to application/problem+json.
 */
export const ERRORS = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  invalid_utf8: { status: 400, title: 'The request body is not valid UTF-8' },
  invalid_text: {
    status: 400,
    title: 'The text contains a NUL character or a lone UTF-16 surrogate, which cannot be stored',
  },
  unsafe_html: {
    status: 422,
    title: 'The HTML contains active content (scripts, event handlers or javascript: links)',
  },
  unauthorized: { status: 401, title: 'Authentication is required' },
  invalid_credentials: { status: 401, title: 'The email or password is wrong' },
  forbidden: { status: 403, title: 'This key or session may not do that' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such route' },
  conflict: { status: 409, title: 'The resource already exists' },
  invalid_transition: { status: 409, title: 'The ticket cannot make that status change' },
  ticket_closed: { status: 409, title: 'The ticket is closed; open a new ticket instead' },
  not_handed_off: {
    status: 409,
    title: 'The ticket was never handed off to a person: it has no handoff packet to judge',
  },
  idempotency_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  idempotency_key_reused: { status: 422, title: 'This Idempotency-Key was used with a different request' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  headers_too_large: { status: 431, title: 'The request line or headers are too large (a long query string?)' },
  request_timeout: { status: 408, title: 'The request was not received in time' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  too_many_attempts: { status: 429, title: 'Too many failed attempts; wait for Retry-After before trying again' },
  not_ready: { status: 503, title: 'The service is not ready' },
  internal: { status: 500, title: 'Something went wrong on our side' },
  identity_unverified: { status: 401, title: 'The widget user identity could not be verified' },
  invalid_signature: { status: 401, title: 'The webhook signature does not match' },
  tracker_unavailable: { status: 502, title: 'The bug tracker did not accept the report' },
  // Integrations: billing, CRM, usage
  webhook_signature_invalid: { status: 400, title: 'The webhook signature is missing, wrong or too old' },
  webhook_replayed: { status: 409, title: 'This signed webhook delivery was already processed' },
  integration_not_configured: { status: 404, title: 'The integration is not configured for this workspace' },
  csrf_failed: { status: 403, title: 'The X-CSRF-Token header is missing or does not match the deskmind_csrf cookie' },
  // Security: outbound URLs
  outbound_url_refused: {
    status: 422,
    title:
      'The URL may not be called: only http(s) to public addresses, without credentials (see DESKMIND_OUTBOUND_ALLOW)',
  },
} as const;

/** A stable error code from the catalogue. */
export type ErrorCode = keyof typeof ERRORS;

/** One problem with one field of the input. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** An error with a stable code. `detail` is safe to show to the caller; `cause` is not shown. */
export class DeskmindError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, detail?: string, options: { issues?: FieldIssue[]; cause?: unknown } = {}) {
    super(detail ?? ERRORS[code].title, { cause: options.cause });
    this.name = 'DeskmindError';
    this.code = code;
    this.detail = detail ?? ERRORS[code].title;
    this.issues = options.issues;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** Shorthand for a not-found error on a named resource. */
export const notFound = (what: string, id?: string): DeskmindError =>
  new DeskmindError('not_found', id ? `${what} ${id} was not found` : `${what} was not found`);
