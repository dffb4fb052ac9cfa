import { DeskmindError, type FieldIssue } from './errors.js';

/** A NUL, or a UTF-16 surrogate without its partner: text PostgreSQL `text`/`jsonb` cannot store. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The paths (`body.subject`, `query.q`, `body.tags.0`) of the strings and keys in `value` holding a NUL or a
 * lone surrogate, at most `limit` of them. Walks with its own stack, so any nesting depth is checked.
 *
 * @example unstorableTextPaths({ subject: 'x\ud800' }, 'body') // ['body.subject']
 */
export function unstorableTextPaths(value: unknown, root: string, limit = 5): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length && found.length < limit) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) found.push(path);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}.${i}`]);
    } else if (v && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Date)) {
      for (const [k, x] of Object.entries(v).reverse()) {
        const bad = UNSTORABLE.test(k);
        const at = `${path}.${bad ? JSON.stringify(k).slice(1, -1) : k}`;
        if (bad) found.push(at);
        stack.push([x, at]);
      }
    }
  }
  return found.slice(0, limit);
}

/**
 * Throws `invalid_text` (400) when any string or key in `value` holds a NUL or a lone surrogate. Every way
 * text comes in (HTTP bodies, query strings, path parameters and stored headers; email; imports; the ticket
 * group writer) calls this before writing anything.
 */
export function assertStorableText(value: unknown, root: string): void {
  const paths = unstorableTextPaths(value, root);
  if (!paths.length) return;
  const issues: FieldIssue[] = paths.map((path) => ({
    path,
    message: 'contains a NUL character or a lone UTF-16 surrogate',
  }));
  throw new DeskmindError(
    'invalid_text',
    `${paths.join(', ')}: text may not contain NUL (\\u0000) or a lone UTF-16 surrogate (\\ud800-\\udfff)`,
    { issues },
  );
}
