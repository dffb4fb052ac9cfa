import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { DeskmindError, ERRORS, type ErrorCode, type FieldIssue } from '../domain/errors.js';
import { databaseUnavailable } from '../store/pg-errors.js';

/** Seconds a client is told to wait when the database cannot be reached (`Retry-After` of a 503 `not_ready`). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const PROBLEM_TYPE = 'application/problem+json';

/** The RFC 9457 problem document of an error code. */
export function problem(code: ErrorCode, detail: string, instance: string, issues?: FieldIssue[]) {
  return {
    type: `https://deskmind.dev/problems/${code}`,
    title: ERRORS[code].title,
    status: ERRORS[code].status,
    code,
    detail,
    instance,
    ...(issues?.length ? { issues } : {}),
  };
}

export function sendProblem(reply: FastifyReply, code: ErrorCode, detail: string, issues?: FieldIssue[]) {
  return reply
    .code(ERRORS[code].status)
    .type(PROBLEM_TYPE)
    .send(problem(code, detail, reply.request.url, issues));
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

/** Bodies over the limit but at most this long are read (and dropped) before the 413, so the client can read it. */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads and drops the rest of a refused request body (up to {@link DRAIN_LIMIT_BYTES}): closing a socket
 * with unread bytes makes TCP reset it, and the client would never read the answer.
 */
function drainBody(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed || Number(raw.headers['content-length'] ?? 0) > DRAIN_LIMIT_BYTES)
    return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      raw.off('data', onData).off('end', done).off('error', done).off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > DRAIN_LIMIT_BYTES) done();
    };
    raw.on('data', onData).once('end', done).once('error', done).once('close', done);
    raw.resume();
  });
}

/**
 * Errors of the HTTP parser, before there is a request (a request line or headers over the limit, a
 * timeout, malformed HTTP): answered as problem+json on the raw socket, which is then closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers_too_large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_timeout'
        : 'validation_failed';
  const detail =
    code === 'headers_too_large'
      ? 'The request line and headers may hold at most 16 KiB; send long queries in a body'
      : code === 'request_timeout'
        ? 'The request took too long to arrive'
        : 'The HTTP request is malformed';
  const body = JSON.stringify(problem(code, detail, ''));
  const status = ERRORS[code].status;
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_TYPE}; ` +
        `charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.destroy();
  }
}

/** Maps any error to application/problem+json; 500s never show internals. */
export async function errorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof DeskmindError) return sendProblem(reply, err.code, err.detail, err.issues);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? 'body';
    const issues = err.validation.map((v) => ({
      path: [
        where,
        ...String(v.instancePath ?? '')
          .split('/')
          .filter(Boolean),
      ].join('.'),
      message: v.message ?? 'invalid',
    }));
    return sendProblem(reply, 'validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  }
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    return sendProblem(reply, 'validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  }
  const code = (err as FastifyError).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    await drainBody(request);
    reply.header('connection', 'close');
  }
  if (code && FASTIFY_CODES[code]) return sendProblem(reply, FASTIFY_CODES[code], err.message);
  if (err instanceof SyntaxError) return sendProblem(reply, 'invalid_json', 'The request body is not valid JSON');
  const status = (err as FastifyError).statusCode;
  if (status === 429) return sendProblem(reply, 'rate_limited', err.message);
  if (status && status >= 400 && status < 500 && !isResponseSerializationError(err)) {
    return sendProblem(
      reply,
      status === 404 ? 'not_found' : status === 415 ? 'unsupported_media_type' : 'validation_failed',
      err.message,
    );
  }
  if (databaseUnavailable(err)) {
    request.log.warn({ err: (err as Error).message }, 'database unavailable');
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return sendProblem(
      reply,
      'not_ready',
      'The database cannot be reached right now; retry later with the same Idempotency-Key, so that the retry ' +
        'never duplicates',
    );
  }
  request.log.error({ err }, 'unhandled error');
  return sendProblem(reply, 'internal', 'Something went wrong on our side; the error was logged');
}
