import { getTableColumns, getTableName, is, sql, SQL, type InferInsertModel } from 'drizzle-orm';
import { PgColumn, PgDialect, type PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './db.js';

/** A value of the record `bulkInsert` reads its rows from: a field by its name (a column key or an extra field). */
export type RecordField = (name: string) => SQL;

/**
 * What `bulkInsert` returns of each inserted row: a column (read as drizzle reads it) or an SQL expression
 * (its value as the driver reads it, which may differ between PGlite and node-postgres: `unknown`).
 */
export type Returning = Record<string, PgColumn | SQL>;
type Returned<R extends Returning> = {
  [K in keyof R]: R[K] extends PgColumn
    ? R[K]['_']['data'] | (R[K]['_']['notNull'] extends true ? never : null)
    : unknown;
};

export interface BulkInsertOptions<TTable extends PgTable, R extends Returning> {
  /** `on conflict do nothing`: rows that conflict are skipped (and not returned). */
  onConflictDoNothing?: boolean;
  /** The columns (or expressions over the inserted row) to return, one object per inserted row, in order. */
  returning?: R;
  /**
   * Columns computed in SQL from the record's fields (a column key or an `extraFields` name), e.g. a search
   * vector; they take the place of a value in the rows.
   */
  computed?: Partial<Record<keyof TTable['_']['columns'] & string, (field: RecordField) => SQL>>;
  /** Fields of each row that are not columns but that `computed` reads, with their SQL types. */
  extraFields?: Record<string, string>;
}

/**
 * `column = any($1::type[])`: a membership test whose values travel as one array parameter, so that a list of
 * any length is one short statement (no placeholder per value to build, send and plan; one prepared statement).
 * `type` is the column's SQL type (`getSQLType`).
 *
 * @example
 * await db.select().from(tickets).where(and(eq(tickets.workspaceId, ws), anyOf(tickets.externalId, ids)));
 */
export function anyOf(column: PgColumn, values: readonly unknown[]): SQL {
  return sql`${column} = any(${sql.param(values)}::${sql.raw(sqlTypeOf(column))}[])`;
}

/** SQL types a record field may be declared with (serial types are only column types). */
const SERIAL_TYPES: Record<string, string> = { serial: 'integer', smallserial: 'smallint', bigserial: 'bigint' };

/**
 * Inserts many rows of `table` in one statement whose text does not depend on the row count: the rows
 * travel as one JSON parameter and become rows with `jsonb_to_recordset`, typed by the columns' SQL types
 * (`insert into t (...) select ... from jsonb_to_recordset($1::jsonb) as r(...)`). On the embedded database
 * this costs a third to a half less than drizzle's multi-row `values` for batches (one prepared statement per
 * shape instead of one per row count, and little JavaScript per value); on a PostgreSQL server it is the same
 * statement. Rows are inserted, and returned, in order.
 *
 * The columns are those any row gives a value (drizzle's table is the only source of names and types);
 * a row that leaves one of them undefined gets the column's default when drizzle knows it in JavaScript
 * (`.default(value)`, `$defaultFn`), NULL when the column is nullable without a default, and otherwise throws
 * (a database-side default cannot be asked for one row of a set). Values are what drizzle would store: JSON
 * for json/jsonb columns (SQL NULL for `null`), Dates as instants, JavaScript arrays for array columns; text is
 * sent as UTF-8 as drivers send it (a lone surrogate becomes U+FFFD). Custom column types are refused.
 *
 * @example
 * const ids = await bulkInsert(tx, events, rows, { returning: { id: events.id } });
 */
export async function bulkInsert<TTable extends PgTable, R extends Returning = Record<never, never>>(
  db: DbOrTx,
  table: TTable,
  rows: (InferInsertModel<TTable> & Record<string, unknown>)[],
  opts: BulkInsertOptions<TTable, R> = {},
): Promise<Returned<R>[]> {
  return prepareBulkInsert(table, rows, opts).run(db);
}

/** A `bulkInsert` statement built and serialised, to run later. */
export interface PreparedBulkInsert<R extends Returning> {
  run(db: DbOrTx): Promise<Returned<R>[]>;
}

/**
 * Builds `bulkInsert`'s statement (the JSON of its rows included) without running it: the JavaScript work of a
 * batch can then be done while the database is busy with an earlier statement.
 */
export function prepareBulkInsert<TTable extends PgTable, R extends Returning = Record<never, never>>(
  table: TTable,
  rows: (InferInsertModel<TTable> & Record<string, unknown>)[],
  opts: BulkInsertOptions<TTable, R> = {},
): PreparedBulkInsert<R> {
  if (!rows.length) return { run: async () => [] };
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const given = new Set<string>();
  for (const row of rows) for (const key in row) if (row[key] !== undefined) given.add(key);
  const shape = shapeOf(table, columns, given, opts);
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const key of shape.keys) record[key] = fieldValue(columns[key]!, key, row[key]);
    for (const name of shape.extra) record[name] = row[name];
    return record;
  });
  const returning = Object.entries(opts.returning ?? {});
  const statement = sql`${sql.raw(shape.head)}${JSON.stringify(records)}${sql.raw(shape.tail)}`;
  if (returning.length) {
    const list = returning.map(
      ([, expr], i) => sql`${is(expr, PgColumn) ? sql.identifier(expr.name) : expr} as ${sql.identifier(`r${i}`)}`,
    );
    statement.append(sql` returning ${sql.join(list, sql`, `)}`);
  }
  return {
    async run(db) {
      const result = (await db.execute(statement)) as unknown as { rows: Record<string, unknown>[] };
      if (!returning.length) return rows.map(() => ({}) as Returned<R>);
      return result.rows.map((raw) => {
        const out: Record<string, unknown> = {};
        for (const [i, [key, expr]] of returning.entries()) {
          const value = raw[`r${i}`];
          out[key] =
            value === null || value === undefined ? null : is(expr, PgColumn) ? expr.mapFromDriverValue(value) : value;
        }
        return out as Returned<R>;
      });
    },
  };
}

/** One statement shape: the columns a batch gives, and its SQL text before and after the JSON parameter. */
interface Shape {
  keys: string[];
  extra: string[];
  head: string;
  tail: string;
}

const dialect = new PgDialect();
/**
 * Shapes by table (or by `computed` object: pass a constant one to build its statement once), then by the
 * columns given and the other options.
 */
const shapes = new WeakMap<object, Map<string, Shape>>();

function shapeOf(
  table: PgTable,
  columns: Record<string, PgColumn>,
  given: Set<string>,
  opts: BulkInsertOptions<PgTable, Returning>,
): Shape {
  const computed = (opts.computed ?? {}) as Record<string, (field: RecordField) => SQL>;
  const extra = opts.extraFields ?? {};
  const keys = Object.keys(columns).filter((k) => given.has(k) && !(k in computed));
  const id = JSON.stringify([
    getTableName(table),
    keys,
    Object.keys(computed),
    extra,
    opts.onConflictDoNothing ?? false,
  ]);
  const owner = opts.computed ?? table;
  let byOwner = shapes.get(owner);
  if (!byOwner) shapes.set(owner, (byOwner = new Map()));
  const cached = byOwner.get(id);
  if (cached) return cached;
  const field: RecordField = (name) => {
    if (!(name in extra) && !keys.includes(name))
      throw new Error(`bulkInsert: a computed column reads the unknown field "${name}"`);
    return sql`r.${sql.identifier(name)}`;
  };
  const targets = [...keys, ...Object.keys(computed)].map((k) => sql.identifier(columnOf(columns, k).name));
  const selected = [...keys.map((k) => field(k)), ...Object.values(computed).map((fn) => fn(field))];
  const recordType = [
    ...recordFields(columns, keys),
    ...Object.entries(extra).map(([name, type]) => sql`${sql.identifier(name)} ${sql.raw(type)}`),
  ];
  const shape: Shape = {
    keys,
    extra: Object.keys(extra),
    head: text(
      sql`insert into ${table} (${sql.join(targets, sql`, `)}) select ${sql.join(selected, sql`, `)} from
          jsonb_to_recordset(`,
    ),
    tail: text(
      sql`::jsonb) as
          r(${sql.join(recordType, sql`, `)})${opts.onConflictDoNothing ? sql` on conflict do nothing` : sql``}`,
    ),
  };
  byOwner.set(id, shape);
  return shape;
}

/** A statement's SQL text (shapes hold no parameters: the rows travel as the one JSON parameter). */
function text(part: SQL): string {
  const query = dialect.sqlToQuery(part);
  if (query.params.length) throw new Error('bulk statements: a computed column may not hold parameters');
  return query.sql;
}

/** The `jsonb_to_recordset` field declarations of the given columns (`"key" type`). */
function recordFields(columns: Record<string, PgColumn>, keys: string[]): SQL[] {
  return keys.map((k) => sql`${sql.identifier(k)} ${sql.raw(sqlTypeOf(columnOf(columns, k)))}`);
}

function columnOf(columns: Record<string, PgColumn>, key: string): PgColumn {
  const column = columns[key];
  if (!column) throw new Error(`bulkInsert: no column "${key}"`);
  return column;
}

/** The SQL type a column's record field is declared with. */
function sqlTypeOf(column: PgColumn): string {
  if (column.columnType === 'PgCustomColumn')
    throw new Error(`bulkInsert: column "${column.name}" has a custom type; compute it instead`);
  const type = column.getSQLType();
  return SERIAL_TYPES[type] ?? type;
}

/** A row's value of one column as the JSON record carries it (see `bulkInsert` for undefined values). */
function fieldValue(column: PgColumn, key: string, value: unknown): unknown {
  if (value === undefined) {
    if (column.defaultFn) return fieldValue(column, key, column.defaultFn());
    if (column.default !== undefined && !is(column.default, SQL)) return fieldValue(column, key, column.default);
    if (!column.hasDefault && !column.notNull) return null;
    throw new Error(`bulkInsert: "${key}" is missing in some rows and its default is computed by the database`);
  }
  if (value === null || column.dataType === 'json') return value;
  if (value instanceof Date && Number.isNaN(value.getTime()))
    throw new RangeError(`bulkInsert: "${key}" is an invalid date`);
  if (typeof value === 'string') return wellFormed(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // NaN, ±Infinity as float8 reads them
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? wellFormed(v) : v));
  return value;
}

/** What a driver sends of a string: its UTF-8 encoding, where a lone surrogate becomes U+FFFD. */
function wellFormed(s: string): string {
  const str = s as string & { isWellFormed(): boolean; toWellFormed(): string };
  return str.isWellFormed() ? s : str.toWellFormed();
}

/**
 * Updates many rows of `table`, each by its `id` with its own columns, in one statement per set of columns
 * (rows giving the same columns share it): `update t set c = r.c, … from jsonb_to_recordset($1::jsonb) as
 * r(id …, c …) where t.id = r.id`. Values travel as in `bulkInsert`; a column a row gives as `null` is set to
 * NULL, one it leaves undefined is not touched.
 */
export async function bulkUpdate<TTable extends PgTable & { id: PgColumn }>(
  db: DbOrTx,
  table: TTable,
  rows: ({ id: string } & Partial<InferInsertModel<TTable>>)[],
): Promise<void> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const groups = new Map<string, { keys: string[]; rows: Record<string, unknown>[] }>();
  for (const row of rows) {
    const keys = Object.keys(columns).filter((k) => k !== 'id' && (row as Record<string, unknown>)[k] !== undefined);
    if (!keys.length) continue;
    const id = keys.join(',');
    const group = groups.get(id) ?? { keys, rows: [] };
    groups.set(id, group);
    group.rows.push(row);
  }
  for (const { keys, rows: members } of groups.values()) {
    const records = members.map((row) => {
      const record: Record<string, unknown> = { id: row.id };
      for (const key of keys) record[key] = fieldValue(columns[key]!, key, row[key]);
      return record;
    });
    const shape = updateShapeOf(table, columns, keys);
    await db.execute(sql`${sql.raw(shape.head)}${JSON.stringify(records)}${sql.raw(shape.tail)}`);
  }
}

const updateShapes = new WeakMap<object, Map<string, { head: string; tail: string }>>();

function updateShapeOf(
  table: PgTable,
  columns: Record<string, PgColumn>,
  keys: string[],
): { head: string; tail: string } {
  let byTable = updateShapes.get(table);
  if (!byTable) updateShapes.set(table, (byTable = new Map()));
  const id = keys.join(',');
  const cached = byTable.get(id);
  if (cached) return cached;
  const assignments = keys.map((k) => sql`${sql.identifier(columns[k]!.name)} = r.${sql.identifier(k)}`);
  const recordType = recordFields(columns, ['id', ...keys]);
  const shape = {
    head: text(sql`update ${table} set ${sql.join(assignments, sql`, `)} from jsonb_to_recordset(`),
    tail: text(
      sql`::jsonb) as r(${sql.join(recordType, sql`, `)}) where ${table}.${sql.identifier(columns.id!.name)} = r."id"`,
    ),
  };
  byTable.set(id, shape);
  return shape;
}
