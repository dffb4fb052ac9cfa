/**
 * Playbook actions: a signed JSON POST to the workspace's own backend. The input is built from the
 * ticket context, checked against the action's JSON Schema before anything is sent, and the call
 * never throws for vendor errors: it returns an `ActionResult`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import { outboundRefusal } from '../security/outbound-url.js';
import type { ActionResult, PlaybookAction, ReplyContext } from './schemas.js';
import { renderInput } from './template.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();
const MAX_CACHED = 500;
const MAX_ERROR_BODY = 200;

/** The compiled validator of a JSON Schema (cached by its text). Throws when the schema is invalid. */
function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, validate);
  }
  return validate;
}

/** Why a JSON Schema cannot be used, or null when it compiles. */
export function schemaProblem(schema: Record<string, unknown>): string | null {
  try {
    validatorOf(schema);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The `X-Deskmind-Signature` value of a request: `v1=` and the hex HMAC-SHA256 of `${timestamp}.${body}`. */
export function signPayload(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a request Deskmind signed: the signature header (one or more comma-separated `v1=<hex>`)
 * must match, and the timestamp (Unix seconds) must be within `toleranceSeconds` of `now`.
 * @example verifySignature(secret, req.headers['x-deskmind-timestamp'], rawBody, req.headers['x-deskmind-signature'],
 * 300)
 */
export function verifySignature(
  secret: string,
  timestamp: string | undefined,
  body: string,
  header: string | undefined,
  toleranceSeconds = 300,
  now: Date = new Date(),
): boolean {
  if (!timestamp || !header || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  return header.split(',').some((part) => {
    const given = Buffer.from(part.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The context an action runs in: the reply context with the ticket required (it keys idempotency). */
export type ActionContext = ReplyContext & { ticket: { id: string; subject?: string | null | undefined } };

/** How an action is sent. */
export interface ActionOptions {
  /** The workspace's signing secret (`workspaces.signingSecret`). */
  signingSecret: string;
  /** The playbook's id: with the ticket id it makes the `Idempotency-Key`, so a retry is not a second refund. */
  playbookId: string;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** The request body an action sends for a context (placeholders filled in, missing values left out). */
export function buildActionInput(
  action: Pick<PlaybookAction, 'input'>,
  context: ReplyContext,
): Record<string, unknown> {
  return renderInput(action.input, context) as Record<string, unknown>;
}

const failure = (
  status: number | null,
  code: NonNullable<ActionResult['error']>['code'],
  message: string,
  started: number,
  issues?: { path: string; message: string }[],
): ActionResult => ({
  ok: false,
  status,
  error: { code, message, ...(issues ? { issues } : {}) },
  durationMs: Math.round(performance.now() - started),
});

function parseJson(text: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Runs a playbook action: builds and validates the input, then POSTs it signed, with an idempotency key
 * and a timeout. A 2xx answer is `ok` with its JSON body as `result`; anything else is a typed error.
 * @example const r = await runAction(playbook.action, { ticket, customer, account }, { signingSecret, playbookId:
 * playbook.id })
 */
export async function runAction(
  action: PlaybookAction,
  context: ActionContext,
  opts: ActionOptions,
): Promise<ActionResult> {
  const started = performance.now();
  const input = buildActionInput(action, context);
  let validate: ValidateFunction;
  try {
    validate = validatorOf(action.inputSchema);
  } catch (err) {
    return failure(null, 'invalid_input', `The action's input schema is not valid: ${(err as Error).message}`, started);
  }
  if (!validate(input)) {
    const issues = (validate.errors ?? []).map((e) => ({
      path: e.instancePath.split('/').filter(Boolean).join('.') || '(input)',
      message: e.message ?? 'invalid',
    }));
    return failure(
      null,
      'invalid_input',
      `The input does not match the action's schema: ${ajv.errorsText(validate.errors)}`,
      started,
      issues,
    );
  }
  const body = JSON.stringify(input);
  const timestamp = String(Math.floor((opts.now ?? (() => new Date()))().getTime() / 1000));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), action.timeoutMs);
  try {
    const res = await (opts.fetch ?? fetch)(action.url, {
      method: action.method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'Deskmind-Actions/1',
        'x-deskmind-timestamp': timestamp,
        'x-deskmind-signature': signPayload(opts.signingSecret, timestamp, body),
        'idempotency-key': `${context.ticket.id}:${opts.playbookId}`,
      },
      body,
      redirect: 'manual',
      signal: controller.signal,
    });
    const text = await res.text();
    const json = parseJson(text);
    if (res.status >= 200 && res.status < 300) {
      return {
        ok: true,
        status: res.status,
        ...(json !== undefined && json !== null ? { result: json } : {}),
        durationMs: Math.round(performance.now() - started),
      };
    }
    const excerpt = text.trim().slice(0, MAX_ERROR_BODY);
    return failure(res.status, 'http_error', `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`, started);
  } catch (err) {
    if (controller.signal.aborted) return failure(null, 'timeout', `No answer within ${action.timeoutMs} ms`, started);
    const refusal = outboundRefusal(err);
    if (refusal) return failure(null, 'network_error', refusal.message, started);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return failure(null, 'network_error', cause?.code ?? cause?.message ?? (err as Error).message, started);
  } finally {
    clearTimeout(timer);
  }
}
