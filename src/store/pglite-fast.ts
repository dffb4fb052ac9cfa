import { parse, protocol, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite';

/** One message from the PostgreSQL backend, as PGlite's protocol parser gives it. */
export type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];
type RowDescriptionMessage = InstanceType<typeof protocol.messages.RowDescriptionMessage>;
type DataRowMessage = InstanceType<typeof protocol.messages.DataRowMessage>;
type CommandCompleteMessage = InstanceType<typeof protocol.messages.CommandCompleteMessage>;

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
 * resolves to the backend's messages, or rejects with the backend's first `DatabaseError`. With `sync`,
 * the data folder is synced once the batch ran (a statement outside a transaction, a commit).
 */
export type RoundTrip = (message: Uint8Array, sync: boolean) => Promise<BackendMessage[]>;

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

/**
 * The result of one statement's messages, as PGlite's `parseResults` builds it, but without merging the
 * caller's parsers into a copy of every type's parser on each call (drizzle passes its own on every query).
 */
function toResults<T>(messages: BackendMessage[], parsers: TypeHandlers['parsers'], options: QueryOptions | undefined): Results<T> {
  let fields: { name: string; dataTypeID: number }[] = [];
  const rows: unknown[] = [];
  let affectedRows = 0;
  const own = options?.parsers;
  const asArray = options?.rowMode === 'array';
  for (const m of messages) {
    if (m.name === 'rowDescription') {
      fields = (m as RowDescriptionMessage).fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
    } else if (m.name === 'dataRow') {
      const values = (m as DataRowMessage).fields.map((v: string | null, i: number) => {
        if (v === null) return null;
        const type = fields[i]!.dataTypeID;
        const parser = own?.[type] ?? parsers[type];
        return parser ? parser(v, type) : v;
      });
      rows.push(asArray ? values : Object.fromEntries(values.map((v, i) => [fields[i]!.name, v])));
    } else if (m.name === 'commandComplete') {
      const words = (m as CommandCompleteMessage).text.split(' ');
      if (['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(words[0]!)) affectedRows += parseInt(words.at(-1)!, 10) || 0;
    }
  }
  return { rows: rows as T[], fields, affectedRows };
}

interface Statement {
  name: string;
  paramTypes: number[];
}

/** Runs statements through a prepared-statement cache; `exec` runs parameterless, possibly multi-statement text. */
export interface StatementRunner {
  run<T>(text: string, params: unknown[] | undefined, options: QueryOptions | undefined, sync: boolean): Promise<Results<T>>;
  exec(text: string, sync: boolean): Promise<Results[]>;
}

/**
 * The prepared-statement core shared by the in-thread and the worker-thread clients; they differ only in
 * `roundTrip` (how bytes reach the backend) and in their locks. PGlite's own `query` sends a statement as six
 * protocol round trips into the WebAssembly backend (parse, describe, bind, describe, execute, sync) and
 * parses it anew every time; this prepares each distinct SQL text once as a named statement (one round
 * trip: parse, describe), then runs it in one round trip (bind, describe, execute, sync). Values are
 * serialised with PGlite's serialisers for the parameter types the statement declared, and rows are parsed by
 * PGlite's own parsers, so results are the same as `PGlite.query`'s. Statements are evicted (closed) least
 * recently used first beyond `maxStatements`. Callers hold the session (one statement at a time).
 */
export function statementRunner(roundTrip: RoundTrip, types: TypeHandlers, opts: { maxStatements?: number } = {}): StatementRunner {
  const max = opts.maxStatements ?? 500;
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
    const messages = await roundTrip(concat([...close, serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]), false);
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
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
      const values = (params ?? []).map((value, i) => {
        if (value === null || value === undefined) return null;
        const type = statement.paramTypes[i]!;
        const serializer = options?.serializers?.[type] ?? types.serializers[type];
        return serializer ? serializer(value) : String(value);
      });
      const messages = await roundTrip(
        concat([serialize.bind({ statement: statement.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
        sync,
      );
      return toResults<T>(messages, types.parsers, options);
    },
    async exec(text, sync) {
      // The simple query protocol ends with ReadyForQuery by itself.
      return parse.parseResults(await roundTrip(serialize.query(text), sync), types.parsers);
    },
  };
}

/** Longest run of back-to-back statements before the event loop gets a turn (see `cachedPglite`). */
const YIELD_MS = 10;

/**
 * A PGlite client with a prepared-statement cache (see `statementRunner`) over a PGlite instance in this
 * thread, sharing PGlite's locks with its other callers (`exec`, `listen`, migrations).
 */
export function cachedPglite(lite: PGlite, opts: { maxStatements?: number } = {}): PgliteClient {
  // PGlite runs a statement synchronously, so statements run back to back (a transaction, a batch) are one
  // chain of microtasks: no HTTP request, timer or other I/O would be handled until it ends. Every
  // YIELD_MS of such work, the next statement first lets the event loop handle what is waiting.
  let lastYield = performance.now();
  const runner = statementRunner(
    async (message, sync) => {
      if (performance.now() - lastYield >= YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      return (await lite.execProtocol(message, { syncToFs: sync })).messages;
    },
    lite,
    opts,
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
    return lite._runExclusiveTransaction(() => lite._runExclusiveQuery(() => runner.run<T>(text, params, options, true)));
  }

  return { query, transaction: (fn) => lite.transaction(() => fn(inTransaction)) };
}
