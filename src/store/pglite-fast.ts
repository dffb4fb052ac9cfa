import { parse, protocol, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite';
import {
  bindExecute,
  readMessages,
  readResult,
  readShape,
  type StatementShape,
  type WireValue,
} from './pglite-protocol.js';

export type { BackendMessage } from './pglite-protocol.js';

const { serialize } = protocol;

/** The part of a PGlite client that drizzle and the job queue call. */
export interface PgliteClient {
  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  transaction<T>(fn: (tx: PgliteClient) => Promise<T>): Promise<T>;
}

/** The type handlers of a PGlite session: by type oid, how a value is sent and how a column is read. */
export interface TypeHandlers {
  serializers: PGlite['serializers'];
  parsers: PGlite['parsers'];
}

/**
 * How protocol bytes reach a PGlite backend (in this thread or another): sends one message batch and
 * resolves to the backend's answer, as bytes. With `sync`, the data folder is synced once the batch ran
 * (a statement outside a transaction, a commit).
 */
export type RoundTrip = (message: Uint8Array, sync: boolean) => Promise<Uint8Array>;

/** Where notifications (`pg_notify`) that arrive with a statement's answer go. */
export type NotificationSink = (channel: string, payload: string) => void;

/** Listeners per channel; `dispatch` hands a notification to the channel's listeners. */
export function channelListeners() {
  const byChannel = new Map<string, Set<(payload: string) => void>>();
  return {
    dispatch: ((channel, payload) => {
      for (const fn of byChannel.get(channel) ?? []) fn(payload);
    }) satisfies NotificationSink,
    /** Adds a listener; true when it is the channel's first. */
    add(channel: string, fn: (payload: string) => void): boolean {
      const set = byChannel.get(channel) ?? new Set();
      byChannel.set(channel, set.add(fn));
      return set.size === 1;
    },
    /** Removes a listener; true when the channel has none left. */
    remove(channel: string, fn: (payload: string) => void): boolean {
      const set = byChannel.get(channel);
      if (!set?.delete(fn) || set.size) return false;
      byChannel.delete(channel);
      return true;
    },
  };
}

export const concat = (parts: Uint8Array[]): Uint8Array => {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
};

interface Statement {
  name: string;
  shape: StatementShape;
}

/** Runs statements through a prepared-statement cache; `exec` runs parameterless, possibly multi-statement text. */
export interface StatementRunner {
  run<T>(
    text: string,
    params: unknown[] | undefined,
    options: QueryOptions | undefined,
    sync: boolean,
  ): Promise<Results<T>>;
  exec(text: string, sync: boolean): Promise<Results[]>;
}

/**
 * The prepared-statement core shared by the in-thread and the worker-thread clients; they differ only in
 * `roundTrip` (how bytes reach the backend) and in their locks. PGlite's own `query` sends a statement as six
 * protocol round trips into the WebAssembly backend (parse, describe, bind, describe, execute, sync) and
 * parses it anew every time; this prepares each distinct SQL text once as a named statement (one round
 * trip: parse, describe, which also gives its columns), then runs it in one round trip (bind, execute, sync)
 * whose rows are read straight from the bytes (src/store/pglite-protocol.ts). Values are serialised with
 * PGlite's serialisers for the parameter types the statement declared, and rows are parsed by PGlite's own
 * parsers, so results are the same as `PGlite.query`'s. Statements are evicted (closed) least recently used
 * first beyond `maxStatements`. Notifications that arrive with an answer go to `onNotification`. Callers
 * hold the session (one statement at a time).
 */
export function statementRunner(
  roundTrip: RoundTrip,
  types: TypeHandlers,
  opts: { maxStatements?: number; onNotification?: NotificationSink } = {},
): StatementRunner {
  const max = opts.maxStatements ?? 500;
  const { onNotification } = opts;
  const statements = new Map<string, Statement>();
  const evicted: string[] = [];
  let counter = 0;

  const prepare = async (text: string): Promise<Statement> => {
    const cached = statements.get(text);
    if (cached) {
      // Most recently used last.
      statements.delete(text);
      statements.set(text, cached);
      return cached;
    }
    const name = `dm_${++counter}`;
    const close = evicted.splice(0).map((n) => serialize.close({ type: 'S', name: n }));
    const bytes = await roundTrip(
      concat([...close, serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      false,
    );
    const statement = { name, shape: readShape(bytes, onNotification) };
    statements.set(text, statement);
    if (statements.size > max) {
      const [oldest] = statements.keys();
      evicted.push(statements.get(oldest!)!.name);
      statements.delete(oldest!);
    }
    return statement;
  };

  return {
    async run<T>(text: string, params: unknown[] | undefined, options: QueryOptions | undefined, sync: boolean) {
      if (options?.blob) throw new Error('the prepared-statement client does not handle blobs');
      const statement = await prepare(text);
      const values = (params ?? []).map((value, i): WireValue => {
        if (value === null || value === undefined) return null;
        const type = statement.shape.paramTypes[i]!;
        const serializer = options?.serializers?.[type] ?? types.serializers[type];
        const wire: unknown = serializer ? serializer(value) : value;
        return typeof wire === 'string' || wire instanceof Uint8Array ? wire : String(wire);
      });
      const bytes = await roundTrip(bindExecute(statement.name, values), sync);
      return readResult<T>(bytes, statement.shape, types, options, onNotification);
    },
    async exec(text, sync) {
      // The simple query protocol ends with ReadyForQuery by itself; its answers go through PGlite's parser.
      return parse.parseResults(
        readMessages(await roundTrip(serialize.query(text), sync), onNotification),
        types.parsers,
      );
    },
  };
}

/** Longest run of back-to-back statements before the event loop gets a turn (see `cachedPglite`). */
const YIELD_MS = 10;

/** A `PgliteClient` over a PGlite instance in this thread, with its own `listen`. */
export interface CachedPglite extends PgliteClient {
  /**
   * LISTENs on `channel` (as `PGlite.listen`): a notification reaches `onPayload` whether it arrives with
   * this client's statements or with PGlite's own (a transaction's commit). Resolves to a function that stops.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * A PGlite client with a prepared-statement cache (see `statementRunner`) over a PGlite instance in this
 * thread, sharing PGlite's locks with its other callers (`exec`, transactions, migrations). Its statements'
 * answers come back as raw bytes (`execProtocolRawStream`) and are read by `readResult`, not by PGlite's
 * parser; statements PGlite runs itself (BEGIN, COMMIT, `exec`) still go through PGlite's own path.
 */
export function cachedPglite(lite: PGlite, opts: { maxStatements?: number } = {}): CachedPglite {
  const listeners = channelListeners();
  // PGlite runs a statement synchronously, so statements run back to back (a transaction, a batch) are one
  // chain of microtasks: no HTTP request, timer or other I/O would be handled until it ends. Every
  // YIELD_MS of such work, the next statement first lets the event loop handle what is waiting.
  let lastYield = performance.now();
  const runner = statementRunner(
    async (message, sync) => {
      // As PGlite's own calls do (its backend is gone once closed).
      if (lite.closed) throw new Error('PGlite is closed');
      if (performance.now() - lastYield >= YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      // The callback receives views into the backend's memory: copied before the next write. (PGlite's own
      // statements set their own output handler, so they are not affected by this one.)
      const chunks: Uint8Array[] = [];
      await lite.execProtocolRawStream(message, {
        syncToFs: sync,
        onRawData: (bytes) => void chunks.push(bytes.slice()),
      });
      return chunks.length === 1 ? chunks[0]! : concat(chunks);
    },
    lite,
    { ...opts, onNotification: listeners.dispatch },
  );

  // Inside `lite.transaction` the transaction lock is held: a statement takes only the query lock.
  const inTransaction: PgliteClient = {
    query: (text, params, options) => lite._runExclusiveQuery(() => runner.run(text, params, options, false)),
    transaction: () => {
      throw new Error('a transaction inside a transaction is a savepoint (drizzle issues it as SQL)');
    },
  };

  // Outside a transaction a statement waits for any running transaction, as PGlite's own `query` does.
  async function query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    await lite.waitReady;
    return lite._runExclusiveTransaction(() =>
      lite._runExclusiveQuery(() => runner.run<T>(text, params, options, true)),
    );
  }

  return {
    query,
    transaction: (fn) => lite.transaction(() => fn(inTransaction)),
    async listen(channel, onPayload) {
      // PGlite calls `onPayload` for notifications it reads itself; `listeners` for those read here.
      const stop = await lite.listen(channel, onPayload);
      listeners.add(channel, onPayload);
      return async () => {
        listeners.remove(channel, onPayload);
        await stop();
      };
    },
  };
}
