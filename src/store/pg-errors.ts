import { DeskmindError } from '../domain/errors.js';

/** The PostgreSQL error code of an error (drizzle wraps driver errors in `cause`). */
export function pgCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * SQLSTATEs of a transaction PostgreSQL rolled back whole to break a deadlock (40P01) or for a serialization
 * failure (40001): nothing of it was written, so running it again is safe.
 */
const CONFLICT_CODES = new Set(['40P01', '40001']);

/** True when `err` (or its cause) is a deadlock or serialization failure that rolled its transaction back. */
export function isTransientConflict(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONFLICT_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs a transaction (`run` opens it and has no effect outside it) again when PostgreSQL rolled it back for a
 * deadlock or a serialization failure with a concurrent one (e.g. another process's, locking the same insight
 * rollup rows in another order); other errors, and the last attempt's conflict, go to the caller.
 *
 * @example const created = await retryOnConflict(() => db.transaction((tx) => createTicket(tx, input)));
 */
export async function retryOnConflict<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !isTransientConflict(err)) throw err;
    }
  }
}

/** Turns a unique-constraint violation into a `conflict` error; rethrows anything else. */
export async function mapUnique<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (pgCode(err) === '23505') throw new DeskmindError('conflict', `${what} already exists`, { cause: err });
    throw err;
  }
}

/** Socket errors of a database connection that is down or was cut. */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** Driver messages of a lost or closed connection (node-postgres, PGlite and its thread). */
const CONNECTION_MESSAGES = new RegExp(
  String.raw`Connection terminated|connection error and is not queryable|timeout exceeded when trying to ` +
    String.raw`connect|Client was closed|Cannot use a pool after calling end|PGlite is closed|embedded ` +
    String.raw`database thread stopped`,
  'i',
);

/**
 * True when `err` says the database cannot be reached right now (refused, cut or closed connection; a
 * server shutting down, starting up or out of connections: SQLSTATE classes 08, 57P01–57P03, 53300), as
 * opposed to a fault of the request or of the code: the API answers it with 503 `not_ready` and `Retry-After`.
 */
export function databaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (CONNECTION_ERRNOS.has(code) ||
        /^08[0-9A-Z]{3}$/.test(code) ||
        ['57P01', '57P02', '57P03', '53300'].includes(code))
    )
      return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    if (e instanceof AggregateError && e.errors.some(databaseUnavailable)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
