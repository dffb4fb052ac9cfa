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

/** Turns a unique-constraint violation into a `conflict` error; rethrows anything else. */
export async function mapUnique<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (pgCode(err) === '23505') throw new DeskmindError('conflict', `${what} already exists`, { cause: err });
    throw err;
  }
}
