import { startWorker } from '../ops/worker-thread.js';
import type { Worker } from 'node:worker_threads';
import { Mutex, types, type QueryOptions, type Results } from '@electric-sql/pglite';
import { channelListeners, statementRunner, type PgliteClient, type TypeHandlers } from './pglite-fast.js';
import type { WorkerError, WorkerInit, WorkerReply, WorkerRequest } from './pglite-worker.js';

/** The embedded database running on its own thread, seen from the main thread. */
export interface PgliteThread extends PgliteClient {
  /** Runs parameterless, possibly multi-statement SQL (simple query protocol), like `PGlite.exec`. */
  exec(text: string): Promise<Results[]>;
  /** LISTENs on `channel`; a `pg_notify` arrives once its transaction commits. Resolves to a function that stops. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Runs drizzle's migrator on the worker thread. */
  migrate(migrationsFolder: string): Promise<void>;
  /** Closes PGlite, then ends the thread. */
  close(): Promise<void>;
  readonly closed: boolean;
  /** The worker thread (for diagnostics and tests). */
  readonly worker: Worker;
}

// The array types of the database, as PGlite loads them when it opens (`_initArrayTypes`).
const ARRAY_TYPES_SQL =
  `SELECT b.oid, b.typarray FROM pg_catalog.pg_type a LEFT JOIN pg_catalog.pg_type b ON ` +
  `b.oid = a.typelem
  WHERE a.typcategory = 'A' GROUP BY b.oid, b.typarray ORDER BY b.oid`;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

const fromWorkerError = (e: WorkerError): Error => Object.assign(new Error(e.message), e.fields);

/**
 * Opens the embedded database (`dataDir`, in memory when undefined) on a worker thread, so that SQL runs
 * in the WebAssembly backend while this thread goes on with its JavaScript. The client is the same as
 * `cachedPglite`'s (prepared statements, PGlite's type handlers and errors), with the same session
 * semantics through its own locks: a transaction holds the session, statements outside it wait for it,
 * statements inside it run in order. Each statement is one message each way, its bytes transferred.
 * If the thread dies, pending and later statements reject with an error saying so.
 */
export async function openPgliteThread(
  dataDir: string | undefined,
  opts: { maxStatements?: number } = {},
): Promise<PgliteThread> {
  const worker = startWorker(import.meta.url, 'pglite-worker', { dataDir } satisfies WorkerInit);
  const pending = new Map<
    number,
    { resolve: (bytes: ArrayBuffer | undefined) => void; reject: (err: Error) => void }
  >();
  let nextId = 0;
  let failure: Error | null = null;
  let closed = false;
  let ready: { resolve: () => void; reject: (err: Error) => void } | null = null;
  const started = new Promise<void>((resolve, reject) => {
    ready = { resolve, reject };
  });

  const fail = (err: Error) => {
    if (failure) return;
    failure = err;
    ready?.reject(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: WorkerReply) => {
    if (reply.kind === 'ready') return ready?.resolve();
    if (reply.kind === 'failed') return fail(fromWorkerError(reply.error));
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.kind === 'done') p.resolve(reply.bytes);
    else p.reject(fromWorkerError(reply.error));
  });
  worker.on('error', (err) => fail(new Error(`the embedded database thread failed: ${err.message}`, { cause: err })));
  worker.on('exit', (code) =>
    fail(new Error(closed ? 'PGlite is closed' : `the embedded database thread stopped (exit code ${code})`)),
  );

  type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;
  const send = (request: Request, transfer: ArrayBuffer[] = []): Promise<ArrayBuffer | undefined> => {
    if (failure) return Promise.reject(failure);
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      // The thread keeps the process alive only while it has work.
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id }, transfer);
    });
  };

  // The main thread reads the backend's bytes (see `statementRunner`), and dispatches notifications.
  const listeners = channelListeners();
  const roundTrip = async (message: Uint8Array, sync: boolean): Promise<Uint8Array> => {
    if (closed) throw new Error('PGlite is closed');
    // Transferred, so it must own its buffer (a pooled Buffer is a view into a shared one): else copied.
    const whole =
      message.byteOffset === 0 && message.byteLength === message.buffer.byteLength ? message : new Uint8Array(message);
    return new Uint8Array(
      (await send({ kind: 'protocol', bytes: whole.buffer as ArrayBuffer, sync }, [whole.buffer as ArrayBuffer]))!,
    );
  };

  const handlers: TypeHandlers = { serializers: { ...types.serializers }, parsers: { ...types.parsers } };
  const runner = statementRunner(roundTrip, handlers, { ...opts, onNotification: listeners.dispatch });
  const txLock = new Mutex();
  const queryLock = new Mutex();
  const outside = <T>(fn: () => Promise<T>): Promise<T> => txLock.runExclusive(() => queryLock.runExclusive(fn));

  const query = <T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> =>
    outside(() => runner.run<T>(text, params, options, true));
  const exec = (text: string): Promise<Results[]> => outside(() => runner.exec(text, true));

  const transaction = <T>(fn: (tx: PgliteClient) => Promise<T>): Promise<T> =>
    txLock.runExclusive(async () => {
      await queryLock.runExclusive(() => runner.exec('BEGIN', false));
      let done = false;
      const tx: PgliteClient = {
        query: (text, params, options) => {
          if (done) return Promise.reject(new Error('Transaction is closed'));
          return queryLock.runExclusive(() => runner.run(text, params, options, false));
        },
        transaction: () => {
          throw new Error('a transaction inside a transaction is a savepoint (drizzle issues it as SQL)');
        },
      };
      try {
        const result = await fn(tx);
        done = true;
        await queryLock.runExclusive(() => runner.exec('COMMIT', true));
        return result;
      } catch (err) {
        if (!done) {
          done = true;
          await queryLock
            .runExclusive(() => runner.exec('ROLLBACK', true))
            .catch((rollbackErr: unknown) => {
              if (!failure) throw rollbackErr;
            });
        }
        throw err;
      }
    });

  const loadArrayTypes = async () => {
    const { rows } = await query<{ oid: number; typarray: number }>(ARRAY_TYPES_SQL);
    for (const { oid, typarray } of rows) {
      handlers.serializers[typarray] = (x) => types.arraySerializer(x, handlers.serializers[oid], typarray);
      handlers.parsers[typarray] = (x) => types.arrayParser(x, handlers.parsers[oid]!, typarray);
    }
  };

  try {
    await started;
    if (pending.size === 0) worker.unref();
    await loadArrayTypes();
  } catch (err) {
    await worker.terminate();
    throw err;
  }

  return {
    query,
    transaction,
    exec,
    async listen(channel, onPayload) {
      // The first listener of a channel LISTENs on it, the last to stop UNLISTENs.
      if (listeners.add(channel, onPayload)) {
        try {
          await exec(`LISTEN ${quoteIdent(channel)}`);
        } catch (err) {
          listeners.remove(channel, onPayload);
          throw err;
        }
      }
      return async () => {
        if (listeners.remove(channel, onPayload) && !closed && !failure) await exec(`UNLISTEN ${quoteIdent(channel)}`);
      };
    },
    async migrate(migrationsFolder) {
      await outside(() => send({ kind: 'migrate', folder: migrationsFolder }));
      await loadArrayTypes();
    },
    async close() {
      if (closed) return;
      try {
        if (!failure) await outside(() => send({ kind: 'close' }));
      } finally {
        closed = true;
        await worker.terminate();
      }
    },
    get closed() {
      return closed;
    },
    worker,
  };
}
