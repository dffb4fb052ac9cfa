import { parse, protocol, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite';

type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];
type RowDescriptionMessage = InstanceType<typeof protocol.messages.RowDescriptionMessage>;
type DataRowMessage = InstanceType<typeof protocol.messages.DataRowMessage>;
type CommandCompleteMessage = InstanceType<typeof protocol.messages.CommandCompleteMessage>;

const { serialize } = protocol;

/** The part of a PGlite client that drizzle and the job queue call. */
export interface PgliteClient {
  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  transaction<T>(fn: (tx: PgliteClient) => Promise<T>): Promise<T>;
}

const concat = (parts: Uint8Array[]): Uint8Array => {
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

type Parsers = PGlite['parsers'];

/**
 * The result of one statement's messages, as PGlite's `parseResults` builds it, but without merging the
 * caller's parsers into a copy of every type's parser on each call (drizzle passes its own on every query).
 */
function toResults<T>(messages: BackendMessage[], parsers: Parsers, options: QueryOptions | undefined): Results<T> {
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

/**
 * A PGlite client with a prepared-statement cache. PGlite's own `query` sends a statement as six protocol
 * round trips into the WebAssembly backend (parse, describe, bind, describe, execute, sync) and parses it
 * anew every time; this one prepares each distinct SQL text once as a named statement (one round trip: parse,
 * describe), then runs it in one round trip (bind, describe, execute, sync). Values are serialised with
 * PGlite's serialisers for the parameter types the statement declared, and rows are parsed by PGlite's own
 * parser, so results are the same as `PGlite.query`'s. Statements are evicted (closed) least recently used
 * first beyond `maxStatements`.
 */
export function cachedPglite(lite: PGlite, opts: { maxStatements?: number } = {}): PgliteClient {
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
    const res = await lite.execProtocol(concat([...close, serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(res.messages) };
    statements.set(text, statement);
    if (statements.size > max) {
      const [oldest] = statements.keys();
      evicted.push(statements.get(oldest!)!.name);
      statements.delete(oldest!);
    }
    return statement;
  };

  const run = async <T>(text: string, params: unknown[] | undefined, options: QueryOptions | undefined): Promise<Results<T>> => {
    if (options?.blob) throw new Error('cachedPglite does not handle blobs');
    const statement = await prepare(text);
    const values = (params ?? []).map((value, i) => {
      if (value === null || value === undefined) return null;
      const type = statement.paramTypes[i]!;
      const serializer = options?.serializers?.[type] ?? lite.serializers[type];
      return serializer ? serializer(value) : String(value);
    });
    const res = await lite.execProtocol(
      concat([serialize.bind({ statement: statement.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
      { syncToFs: false },
    );
    return toResults<T>(res.messages, lite.parsers, options);
  };

  // Inside `lite.transaction` the transaction lock is held: a statement takes only the query lock.
  const inTransaction: PgliteClient = {
    query: (text, params, options) => lite._runExclusiveQuery(() => run(text, params, options)),
    transaction: () => {
      throw new Error('a transaction inside a transaction is a savepoint (drizzle issues it as SQL)');
    },
  };

  // Outside a transaction a statement waits for any running transaction, as PGlite's own `query` does.
  async function query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    await lite.waitReady;
    return lite._runExclusiveTransaction(() =>
      lite._runExclusiveQuery(async () => {
        const result = await run<T>(text, params, options);
        await lite.syncToFs();
        return result;
      }),
    );
  }

  return { query, transaction: (fn) => lite.transaction(() => fn(inTransaction)) };
}
