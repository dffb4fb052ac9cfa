import { protocol, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite';
import type { NotificationSink, TypeHandlers } from './pglite-fast.js';

/**
 * The hot path of the PostgreSQL wire protocol for the embedded database: building a prepared statement's
 * Bind/Execute/Sync and reading its rows straight from the backend's bytes. PGlite's own protocol code
 * (pg-protocol) copies every field into a new buffer before decoding it and measures each string twice
 * in JavaScript; at a few hundred statements a second that was about a sixth of the embedded server's time.
 * Notifications are read here too (every statement that appends an event raises one). Anything rarer than
 * rows, command tags and notifications (errors, simple-query results) is left to PGlite's parser, so errors
 * are the same `DatabaseError`s PGlite throws.
 */

const { Parser, messages } = protocol;
const { DatabaseError, NotificationResponseMessage } = messages;

/** A result column: its name and type oid. */
export interface Field {
  name: string;
  dataTypeID: number;
}

/** What describing a prepared statement tells: its parameter types and its columns (null when it returns no rows). */
export interface StatementShape {
  paramTypes: number[];
  fields: Field[] | null;
}

/** A parameter as sent: text, binary (a byte array), or SQL NULL. */
export type WireValue = string | Uint8Array | null;

const EXECUTE_SYNC = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4]);

/**
 * Bind (unnamed portal, text results), Execute (all rows) and Sync for the prepared statement `name`.
 * A string is sent as text, a byte array in binary, as PGlite's own serialiser does.
 */
export function bindExecute(name: string, values: WireValue[]): Uint8Array {
  const n = values.length;
  let length = 4 + 1 + Buffer.byteLength(name) + 1 + 2 + 2 * n + 2 + 2;
  const sizes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sizes[i] = v === null || v === undefined ? -1 : typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength;
    length += 4 + Math.max(sizes[i]!, 0);
  }
  const out = Buffer.allocUnsafe(1 + length + EXECUTE_SYNC.length);
  out[0] = 0x42; // 'B'
  out.writeInt32BE(length, 1);
  let at = 5;
  out[at++] = 0; // unnamed portal
  at += out.write(name, at, 'utf8');
  out[at++] = 0;
  out.writeInt16BE(n, at);
  at += 2;
  for (let i = 0; i < n; i++, at += 2) out.writeInt16BE(values[i] instanceof Uint8Array ? 1 : 0, at);
  out.writeInt16BE(n, at);
  at += 2;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out.writeInt32BE(sizes[i]!, at);
    at += 4;
    if (typeof v === 'string') at += out.write(v, at, 'utf8');
    else if (v) {
      out.set(v, at);
      at += v.byteLength;
    }
  }
  out.writeInt16BE(0, at); // no result format codes: every column in text
  at += 2;
  EXECUTE_SYNC.copy(out, at);
  return out;
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** One message from the PostgreSQL backend, as PGlite's protocol parser gives it. */
export type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];

/**
 * The backend's messages parsed by PGlite's parser, the way PGlite's `execProtocol` reads them: notifications
 * go to `onNotification` (after the current task, as PGlite calls its listeners), and the first
 * `DatabaseError` is thrown once the whole answer was read.
 */
export function readMessages(bytes: Uint8Array, onNotification: NotificationSink | undefined): BackendMessage[] {
  const out: BackendMessage[] = [];
  let error: InstanceType<typeof DatabaseError> | null = null;
  new Parser().parse(bytes, (m) => {
    if (m instanceof NotificationResponseMessage && onNotification) {
      const { channel, payload } = m;
      queueMicrotask(() => onNotification(channel, payload));
    }
    if (error) return;
    if (m instanceof DatabaseError) error = m;
    else out.push(m);
  });
  if (error) throw error;
  return out;
}

/** Reads a RowDescription at `at` (past its header). */
function readFields(buf: Buffer, at: number): Field[] {
  const count = buf.readInt16BE(at);
  at += 2;
  const fields: Field[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const end = buf.indexOf(0, at);
    const name = buf.toString('utf8', at, end);
    // table oid (4), column number (2), then the type oid.
    fields[i] = { name, dataTypeID: buf.readInt32BE(end + 1 + 6) };
    at = end + 1 + 18;
  }
  return fields;
}

/**
 * Walks the backend's messages: `onMessage(code, at, end)` for each, `at` past the 5-byte header.
 * Notifications (a statement that raised `pg_notify` in autocommit, or a COMMIT's answer) are read here too
 * and go to `onNotification` after the current task, as PGlite calls its listeners. Errors are thrown as
 * PGlite throws them (its parser reads an answer that holds one).
 */
function walk(
  bytes: Uint8Array,
  onNotification: NotificationSink | undefined,
  onMessage: (buf: Buffer, code: number, at: number, end: number) => void,
): void {
  const buf = asBuffer(bytes);
  let sawError = false;
  for (let at = 0; at + 5 <= buf.length; ) {
    const code = buf[at]!;
    const end = at + 1 + buf.readInt32BE(at + 1);
    if (code === 0x45)
      sawError = true; // 'E'
    else if (code === 0x41) {
      // 'A' NotificationResponse: backend pid (4), channel and payload (each NUL-terminated)
      if (onNotification) {
        const channelEnd = buf.indexOf(0, at + 9);
        const channel = buf.toString('utf8', at + 9, channelEnd);
        const payload = buf.toString('utf8', channelEnd + 1, end - 1);
        queueMicrotask(() => onNotification(channel, payload));
      }
    } else if (!sawError) onMessage(buf, code, at + 5, end);
    at = end;
  }
  // Rare: PGlite's parser reads them, so errors are PGlite's own (notifications were handed on above).
  if (sawError) readMessages(bytes, undefined);
}

/** The parameter types and columns from the answer to Parse + Describe (statement) + Sync. */
export function readShape(bytes: Uint8Array, onNotification?: NotificationSink): StatementShape {
  let paramTypes: number[] = [];
  let fields: Field[] | null = null;
  walk(bytes, onNotification, (buf, code, at) => {
    if (code === 0x74) {
      // 't' ParameterDescription
      const n = buf.readInt16BE(at);
      paramTypes = Array.from({ length: n }, (_, i) => buf.readInt32BE(at + 2 + 4 * i));
    } else if (code === 0x54) fields = readFields(buf, at); // 'T' RowDescription
  });
  return { paramTypes, fields };
}

const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

/**
 * The result of Bind/Execute/Sync on a statement of `shape`, as PGlite's `query` gives it: rows parsed by
 * the session's type parsers (the caller's own first), as objects or as arrays, and the rows affected.
 */
export function readResult<T>(
  bytes: Uint8Array,
  shape: StatementShape,
  handlers: TypeHandlers,
  options: QueryOptions | undefined,
  onNotification?: NotificationSink,
): Results<T> {
  const fields = shape.fields ?? [];
  const own = options?.parsers;
  const asArray = options?.rowMode === 'array';
  const parsers = fields.map((f) => own?.[f.dataTypeID] ?? handlers.parsers[f.dataTypeID]);
  const rows: unknown[] = [];
  let affectedRows = 0;
  walk(bytes, onNotification, (buf, code, at, end) => {
    if (code === 0x44) {
      // 'D' DataRow
      const count = buf.readInt16BE(at);
      at += 2;
      const values: unknown[] = asArray ? new Array(count) : [];
      const row: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const size = buf.readInt32BE(at);
        at += 4;
        let value: unknown = null;
        if (size >= 0) {
          const text = buf.toString('utf8', at, at + size);
          at += size;
          const parse = parsers[i];
          value = parse ? parse(text, fields[i]!.dataTypeID) : text;
        }
        if (asArray) values[i] = value;
        else row[fields[i]!.name] = value;
      }
      rows.push(asArray ? values : row);
    } else if (code === 0x43) {
      // 'C' CommandComplete: "INSERT 0 3", "UPDATE 2", ...
      const tag = buf.toString('utf8', at, end - 1);
      const space = tag.indexOf(' ');
      if (COUNTED.has(space < 0 ? tag : tag.slice(0, space)))
        affectedRows += parseInt(tag.slice(tag.lastIndexOf(' ') + 1), 10) || 0;
    }
  });
  return { rows: rows as T[], fields, affectedRows };
}
