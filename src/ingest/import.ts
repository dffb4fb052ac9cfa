/**
 * Bulk import of accounts, customers and tickets from CSV (header row) or JSONL files.
 *
 * Rows are validated with the domain's zod schemas and written in chunks, each in one transaction with its
 * checkpoint (`import_runs`), so an interrupted import resumes after its last committed chunk. A bad row is
 * rejected alone (with its line number and the reason) and never stops the import. Imports are idempotent:
 * accounts upsert on externalId, customers on externalId or email, and tickets already imported (same
 * externalId) are skipped. Tickets are written with their history in a few multi-row statements, not
 * through `Deskmind.createTicket`: the live pipeline does not run on them and their timeline notifies no
 * one. Nothing here prints: progress goes through a callback.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { IngestDeps } from './deps.js';
import { DeskmindError } from '../domain/errors.js';
import { assertStorableText } from '../domain/text.js';
import {
  AccountInputSchema,
  CustomerInputSchema,
  MessageInputSchema,
  TicketCreateSchema,
  TicketPatchSchema,
  type AccountInput,
  type CustomerInput,
} from '../domain/schemas.js';
import type { TicketStatus } from '../domain/enums.js';
import type { Db } from '../store/db.js';
import { anyOf, prepareBulkInsert } from '../store/bulk.js';
import { events, importRuns, messages, tickets } from '../store/schema.js';
import { createAccount } from '../people/create-account.js';
import { findAccountByExternalId } from '../people/find-account.js';
import { updateAccount } from '../people/update-account.js';
import { withDb, type Actor, type Ctx } from '../store/ctx.js';
import { createCustomer } from '../people/create-customer.js';
import { findCustomer } from '../people/find-customer.js';
import { resolveCustomerRefs } from '../people/resolve-customer-ref.js';
import { updateCustomer } from '../people/update-customer.js';
import { replayImportedHistory, type ImportedHistory } from './import-history.js';
import { mapUnique } from '../store/pg-errors.js';
import { vacuumDue } from '../store/maintenance.js';
import { prepareBody, TICKET_SEARCH_INSERT } from '../tickets/ticket-rows.js';
import { getWorkspace } from '../people/get-workspace.js';

export const IMPORT_KINDS = ['accounts', 'customers', 'tickets'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** How many rejections a summary lists (the `rejected` count is always complete). */
export const MAX_LISTED_REJECTIONS = 100;

export const ImportRejectionSchema = z.object({ line: z.number().int().min(1), reason: z.string() });
export type ImportRejection = z.infer<typeof ImportRejectionSchema>;

/** The outcome of an import. `total` counts data rows (CSV records or non-blank JSONL lines). */
export const ImportSummarySchema = z.object({
  kind: z.enum(IMPORT_KINDS),
  total: z.number().int().min(0),
  created: z.number().int().min(0),
  updated: z.number().int().min(0),
  skipped: z.number().int().min(0),
  rejected: z.number().int().min(0),
  rejections: z.array(ImportRejectionSchema).max(MAX_LISTED_REJECTIONS),
});
export type ImportSummary = z.infer<typeof ImportSummarySchema>;

/** Reported after each chunk. */
export type ImportProgress = Omit<ImportSummary, 'kind' | 'rejections'> & { processed: number };

export interface ImportOptions {
  kind: ImportKind;
  format: ImportFormat;
  /** Validate and write every row, then roll each one back: the summary is exact but nothing is stored. */
  dryRun?: boolean;
  /** Who the timeline events are attributed to (default: an integration). */
  actor?: Actor;
  /** Called after each chunk is committed. */
  onProgress?: (progress: ImportProgress) => void;
  /** Rows per transaction and checkpoint (default `IMPORT_CHUNK_ROWS`). */
  chunkRows?: number;
}

// ── row schemas ─────────────────────────────────────────────────────────────

/** Statuses a ticket may be imported with (`closed` goes through `resolved`). */
export const TICKET_IMPORT_STATUSES = [
  'new',
  'open',
  'pending',
  'resolved',
  'closed',
] as const satisfies readonly TicketStatus[];

const isoTimestamp = z.iso.datetime({ offset: true });

/** A later message of an imported ticket (JSONL `messages`). */
export const ImportedMessageSchema = z
  .object({
    author: z.enum(['customer', 'agent']),
    text: MessageInputSchema.shape.text.unwrap().trim().min(1),
    createdAt: isoTimestamp.optional(),
  })
  .strict();

/** One imported ticket: a ticket to create, then its history. */
export const TicketImportSchema = TicketCreateSchema.extend({
  channel: TicketCreateSchema.shape.channel.unwrap().default('import'),
  /** Omitted: the status the history leads to (new, or open once an agent replied). */
  status: z.enum(TICKET_IMPORT_STATUSES).optional(),
  intent: TicketPatchSchema.shape.intent,
  createdAt: isoTimestamp.optional(),
  messages: z.array(ImportedMessageSchema).max(1000).default([]),
});
export type TicketImport = z.infer<typeof TicketImportSchema>;

/** A customer row must name the customer so that re-importing updates instead of duplicating. */
export const CustomerImportSchema = CustomerInputSchema.refine((c) => c.email || c.externalId, {
  message: 'a customer needs an email or externalId',
  path: ['email'],
});

// ── kinds ───────────────────────────────────────────────────────────────────

type Outcome = 'created' | 'updated' | 'skipped';
/** A row's fields after mapping: blank values dropped, `attr.*` gathered into `attributes`. */
type Fields = Record<string, unknown>;
/** What became of a row: its outcome, or why it was rejected. */
type RowResult = Outcome | { error: unknown };

interface KindSpec<P = unknown> {
  /** The columns (JSONL keys) a row may have, besides `attr.<name>`. */
  columns: readonly string[];
  /** Columns converted from text to numbers. */
  numeric?: readonly string[];
  /** Whether `attr.<name>` columns (and a JSONL `attributes` object) are accepted. */
  attributes: boolean;
  /** Names rejection paths after the file's columns when the schema's shape differs from the file's. */
  paths?: Record<string, string>;
  /** Validates the row (throws a ZodError). */
  prepare(fields: Fields): P;
  /**
   * Writes validated rows in the caller's transaction, one result per row. A rejected row changes nothing; a
   * database error may fail the whole call (the import then writes the rows one at a time to find it).
   * `meanwhile` (the next chunk's validation) is called at most once, while the database is busy.
   */
  write(ctx: Ctx, rows: P[], meanwhile?: () => void): Promise<RowResult[]>;
}

/** Writes rows one after another, each in a savepoint: a failing row is rolled back alone. */
function eachInSavepoint<P>(writeOne: (ctx: Ctx, row: P) => Promise<Outcome>): KindSpec<P>['write'] {
  return async (ctx, rows) => {
    const results: RowResult[] = [];
    for (const row of rows) {
      results.push(
        await ctx.db.transaction((sp) => writeOne(withDb(ctx, sp), row)).catch((error: unknown) => ({ error })),
      );
    }
    return results;
  };
}

/** The fields of `input` the row actually gave, for a partial update; attributes are merged into `current`. */
function givenFields<T extends { attributes: Record<string, unknown> }>(
  input: T,
  fields: Fields,
  current: Record<string, unknown>,
): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(fields) as (keyof T & string)[]) if (key in input) out[key] = input[key];
  if (out.attributes) out.attributes = { ...current, ...out.attributes };
  return out;
}

const splitTags = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(/[,|]/)
        .map((s) => s.trim())
        .filter(Boolean)
    : v;

/**
 * Does `work` while the database runs `statement` (once it has been sent: after a turn of the event loop), then
 * waits for the statement; returns the work's result. On a server, the JavaScript and SQL of an import overlap.
 */
async function whileRunning<W>(statement: Promise<unknown>, work: () => W): Promise<W> {
  statement.catch(() => {}); // awaited below: a failure meanwhile is not an unhandled rejection
  await new Promise((resolve) => setImmediate(resolve));
  const result = work();
  await statement;
  return result;
}

/** How much of a ticket's conversation its search vector holds. */
const SEARCH_CHARS = 100_000;

/**
 * Writes imported tickets with their whole history in a few multi-row statements: tickets already imported
 * (same externalId, here or earlier in the rows) are skipped, each history is replayed in memory
 * (`replayImportedHistory`: a row the lifecycle refuses is rejected alone), customers are found or created
 * together, then the tickets, their messages and their timelines are inserted. The timeline is history: it
 * goes to no webhook nor live notice, and the live pipeline does not run.
 */
async function writeTickets(ctx: Ctx, rows: TicketImport[], meanwhile?: () => void): Promise<RowResult[]> {
  const results: RowResult[] = rows.map(() => 'skipped');
  const externalIds = [...new Set(rows.flatMap((r) => (r.externalId ? [r.externalId] : [])))];
  const known = new Set(
    externalIds.length
      ? (
          await ctx.db
            .select({ externalId: tickets.externalId })
            .from(tickets)
            .where(and(eq(tickets.workspaceId, ctx.workspaceId), anyOf(tickets.externalId, externalIds)))
        ).map((r) => r.externalId)
      : [],
  );
  const fresh: { index: number; row: TicketImport; history: ImportedHistory }[] = [];
  rows.forEach((row, index) => {
    if (row.externalId) {
      if (known.has(row.externalId)) return;
      known.add(row.externalId);
    }
    try {
      const history = replayImportedHistory({
        create: row,
        body: prepareBody(row.message),
        createdAt: row.createdAt ? new Date(row.createdAt) : ctx.now(),
        later: row.messages.map((m) => ({
          author: m.author,
          text: m.text,
          createdAt: m.createdAt ? new Date(m.createdAt) : undefined,
        })),
        status: row.status,
        intent: row.intent,
      });
      fresh.push({ index, row, history });
    } catch (error) {
      results[index] = { error };
    }
  });
  if (!fresh.length) return results;
  const people = await resolveCustomerRefs(
    ctx,
    fresh.map((f) => f.row.customer),
  );
  const ticketIds = fresh.map(() => randomUUID());
  const messageIds = fresh.map((f) => f.history.messages.map(() => randomUUID()));
  const ticketRows = prepareBulkInsert(
    tickets,
    fresh.map(({ row, history }, i) => ({
      id: ticketIds[i]!,
      workspaceId: ctx.workspaceId,
      subject: row.subject,
      channel: row.channel,
      priority: row.priority ?? 'normal',
      tags: [...new Set(row.tags)],
      customerId: people[i]!.id,
      pageContext: row.message.pageContext ?? row.pageContext ?? null,
      externalId: row.externalId ?? null,
      intent: history.intent,
      ...history.state,
      lastMessageAt: history.lastMessageAt,
      createdAt: history.createdAt,
      updatedAt: history.updatedAt,
      searchText: history.messages
        .map((m) => m.text)
        .join('\n')
        .slice(0, SEARCH_CHARS),
    })),
    TICKET_SEARCH_INSERT,
  );
  const inserting = mapUnique('A ticket with this externalId', () => ticketRows.run(ctx.db));
  // While the database writes the tickets, their messages and timelines are serialised.
  const later = await whileRunning(inserting, () => ({
    messages: prepareBulkInsert(
      messages,
      fresh.flatMap(({ row, history }, i) =>
        history.messages.map((m, j) => ({
          id: messageIds[i]![j]!,
          workspaceId: ctx.workspaceId,
          ticketId: ticketIds[i]!,
          authorType: m.author,
          authorId: m.author === 'customer' ? people[i]!.id : null,
          visibility: 'public' as const,
          bodyText: m.text,
          bodyHtml: m.html,
          attachments: j === 0 ? row.message.attachments : [],
          pageContext: j === 0 ? (row.message.pageContext ?? null) : null,
          createdAt: m.at,
        })),
      ),
    ),
    events: prepareBulkInsert(
      events,
      fresh.flatMap(({ history }, i) =>
        history.events.map((e) => ({
          workspaceId: ctx.workspaceId,
          ticketId: ticketIds[i]!,
          type: e.type,
          actorType: e.by === 'customer' ? ('customer' as const) : ctx.actor.type,
          actorId: e.by === 'customer' ? people[i]!.id : ctx.actor.id,
          data:
            e.type === 'ticket.created'
              ? { ...e.data, customerId: people[i]!.id }
              : e.message !== undefined
                ? { messageId: messageIds[i]![e.message]!, ...e.data }
                : e.data,
          createdAt: e.at,
        })),
      ),
    ),
  }));
  await later.messages.run(ctx.db);
  // The last statement: the caller prepares the next chunk meanwhile.
  await whileRunning(later.events.run(ctx.db), () => meanwhile?.());
  for (const f of fresh) results[f.index] = 'created';
  return results;
}

const accountsSpec: KindSpec<{ input: AccountInput; fields: Fields }> = {
  columns: ['externalId', 'name', 'domain', 'tier', 'plan', 'mrr', 'seats', 'billingState', 'crmId'],
  numeric: ['mrr', 'seats'],
  attributes: true,
  prepare: (fields) => ({ input: AccountInputSchema.parse(fields), fields }),
  write: eachInSavepoint(async (ctx, { input, fields }) => {
    const existing = input.externalId ? await findAccountByExternalId(ctx, input.externalId) : null;
    if (!existing) {
      await createAccount(ctx, input);
      return 'created';
    }
    await updateAccount(ctx, existing.id, givenFields(input, fields, existing.attributes));
    return 'updated';
  }),
};

const customersSpec: KindSpec<{ input: CustomerInput; fields: Fields }> = {
  columns: ['externalId', 'email', 'name', 'locale', 'accountExternalId'],
  attributes: true,
  prepare: (fields) => ({ input: CustomerImportSchema.parse(fields), fields }),
  write: eachInSavepoint(async (ctx, { input, fields }) => {
    const existing = await findCustomer(ctx, input);
    if (!existing) {
      await createCustomer(ctx, input);
      return 'created';
    }
    await updateCustomer(ctx, existing.id, givenFields(input, fields, existing.attributes));
    return 'updated';
  }),
};

const ticketsSpec: KindSpec<TicketImport> = {
  columns: [
    'externalId',
    'subject',
    'body',
    'customerEmail',
    'customerExternalId',
    'customerName',
    'channel',
    'priority',
    'tags',
    'status',
    'intent',
    'createdAt',
    'messages',
  ],
  attributes: false,
  paths: {
    message: 'body',
    'message.text': 'body',
    customer: 'customerEmail',
    'customer.email': 'customerEmail',
    'customer.externalId': 'customerExternalId',
    'customer.name': 'customerName',
  },
  prepare(fields) {
    const { body, customerEmail, customerExternalId, customerName, tags, ...rest } = fields;
    return TicketImportSchema.parse({
      ...rest,
      message: { text: body },
      customer: { email: customerEmail, externalId: customerExternalId, name: customerName },
      ...(tags === undefined ? {} : { tags: splitTags(tags) }),
    });
  },
  write: writeTickets,
};

const KINDS: Record<ImportKind, KindSpec> = {
  accounts: accountsSpec,
  customers: customersSpec,
  tickets: ticketsSpec,
} as Record<ImportKind, KindSpec>;

/** The columns each kind accepts (for help texts). */
export const IMPORT_COLUMNS: Record<ImportKind, readonly string[]> = {
  accounts: KINDS.accounts.columns,
  customers: KINDS.customers.columns,
  tickets: KINDS.tickets.columns,
};

// ── reading files ───────────────────────────────────────────────────────────

/** One data row of the file, with the line it starts on, or why it could not be read. */
type RawRow = { line: number; value: Record<string, unknown> } | { line: number; error: string };

const isAttr = (key: string) => key.startsWith('attr.') && key.length > 'attr.'.length;

/** Refuses a CSV header with unknown or repeated columns: every row would be wrong. */
function checkHeader(header: string[], spec: KindSpec, kind: ImportKind): string[] {
  const names = header.map((h) => h.trim());
  const unknown = names.filter((n) => !spec.columns.includes(n) && !(spec.attributes && isAttr(n)));
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (unknown.length || repeated.length) {
    const problems = [
      unknown.length ? `unknown column(s) ${unknown.join(', ')}` : '',
      repeated.length ? `repeated column(s) ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    const expected = `${spec.columns.join(', ')}${spec.attributes ? ' and attr.<name>' : ''}`;
    throw new DeskmindError(
      'validation_failed',
      `The CSV header has ${problems.join(' and ')}; ${kind} columns are ${expected}`,
    );
  }
  return names;
}

const countNewlines = (v: unknown) => (typeof v === 'string' ? v.split('\n').length - 1 : 0);

function readCsvRows(text: string, spec: KindSpec, kind: ImportKind): RawRow[] {
  const rows: RawRow[] = [];
  parseCsv(text, {
    bom: true,
    columns: (header: string[]) => checkHeader(header, spec, kind),
    skip_empty_lines: true,
    relax_quotes: true,
    skip_records_with_error: true,
    on_record: (record: Record<string, string>, info) => {
      // `info.lines` is the line a record ends on; quoted newlines tell where it started.
      const line = info.lines - Object.values(record).reduce<number>((n, v) => n + countNewlines(v), 0);
      rows.push({ line, value: record });
      return null;
    },
    on_skip: (err) => {
      const line = (err as { lines?: number } | undefined)?.lines ?? 0;
      if (rows.at(-1)?.line !== line)
        rows.push({ line, error: `malformed CSV: ${err?.message ?? 'unreadable record'}` });
    },
  });
  if (rows.length === 0 && text.trim() === '')
    throw new DeskmindError('validation_failed', 'The CSV file is empty; it needs a header row');
  return rows;
}

function readJsonlRows(text: string): RawRow[] {
  const rows: RawRow[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    const line = i + 1;
    try {
      const value: unknown = JSON.parse(raw);
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        rows.push({ line, error: 'expected a JSON object' });
      else rows.push({ line, value: value as Record<string, unknown> });
    } catch (err) {
      rows.push({ line, error: `invalid JSON: ${(err as Error).message}` });
    }
  });
  return rows;
}

/** Maps a raw row to fields: trims text, drops blanks, converts numbers and gathers attributes. Throws on unknown keys.
 */
function toFields(value: Record<string, unknown>, spec: KindSpec): Fields {
  const fields: Fields = {};
  const attributes: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, raw] of Object.entries(value)) {
    const v = typeof raw === 'string' ? raw.trim() : raw;
    if (v === '' || v === null || v === undefined) continue;
    if (spec.attributes && key === 'attributes' && typeof v === 'object' && !Array.isArray(v))
      Object.assign(attributes, v);
    else if (spec.attributes && isAttr(key)) attributes[key.slice('attr.'.length)] = v;
    else if (spec.columns.includes(key))
      fields[key] = spec.numeric?.includes(key) && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    else unknown.push(key);
  }
  if (unknown.length) throw new DeskmindError('validation_failed', `unknown field(s) ${unknown.join(', ')}`);
  if (Object.keys(attributes).length) fields.attributes = attributes;
  return fields;
}

/** A short, single-line reason for a rejected row. */
function reasonOf(err: unknown, spec: KindSpec): string {
  if (err instanceof z.ZodError) {
    return err.issues
      .map((issue) => {
        const path = issue.path.join('.');
        const message =
          issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'required' : issue.message;
        return `${spec.paths?.[path] ?? (path || 'row')}: ${message}`;
      })
      .join('; ');
  }
  if (err instanceof DeskmindError)
    return err.issues?.length
      ? `${err.detail} (${err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`
      : err.detail;
  return err instanceof Error ? err.message : String(err);
}

/** Thrown inside a dry run's chunk transaction to roll it back, with the chunk's results. */
class DryRunRollback extends Error {
  constructor(readonly results: RowResult[]) {
    super('dry run');
  }
}

/** Rows written per transaction (and per checkpoint). */
export const IMPORT_CHUNK_ROWS = 1000;

type Counts = Pick<ImportSummary, 'created' | 'updated' | 'skipped' | 'rejected' | 'rejections'>;

/** Adds one chunk's results to the counts (rejections listed up to `MAX_LISTED_REJECTIONS`). */
function tally(counts: Counts, rows: RawRow[], results: RowResult[], spec: KindSpec): void {
  results.forEach((result, i) => {
    if (typeof result === 'string') counts[result]++;
    else {
      counts.rejected++;
      if (counts.rejections.length < MAX_LISTED_REJECTIONS)
        counts.rejections.push({ line: rows[i]!.line, reason: reasonOf(result.error, spec) });
    }
  });
}

/** A chunk's rows validated: the rejected ones' results, and the others ready to write. */
interface PreparedChunk {
  results: RowResult[];
  valid: { index: number; prepared: unknown }[];
}

/** Validates a chunk's rows (no I/O): rows that do not validate are rejected at once. */
function prepareChunk(spec: KindSpec, rows: RawRow[]): PreparedChunk {
  const results: RowResult[] = new Array(rows.length);
  const valid: PreparedChunk['valid'] = [];
  rows.forEach((row, index) => {
    try {
      if ('error' in row) throw new DeskmindError('validation_failed', row.error);
      assertStorableText(row.value, 'row');
      valid.push({ index, prepared: spec.prepare(toFields(row.value, spec)) });
    } catch (error) {
      results[index] = { error };
    }
  });
  return { results, valid };
}

/**
 * Writes one validated chunk in the caller's transaction, its valid rows together; if that fails on a database
 * error (a value the database refuses), each row is written again alone in a savepoint, so that only the bad
 * row is rejected. `meanwhile` as in `KindSpec.write`.
 */
async function writeChunk(
  ctx: Ctx,
  spec: KindSpec,
  { results: rejected, valid }: PreparedChunk,
  meanwhile?: () => void,
): Promise<RowResult[]> {
  const results = [...rejected];
  const written = await ctx.db
    .transaction((sp) =>
      spec.write(
        withDb(ctx, sp),
        valid.map((v) => v.prepared),
        meanwhile,
      ),
    )
    .catch(async () => {
      const one: RowResult[] = [];
      for (const v of valid) {
        const [result] = await ctx.db
          .transaction((sp) => spec.write(withDb(ctx, sp), [v.prepared]))
          .catch((error: unknown) => [{ error }]);
        one.push(result!);
      }
      return one;
    });
  valid.forEach((v, i) => (results[v.index] = written[i]!));
  return results;
}

/** The file format its extension implies: `.csv`, or `.jsonl` / `.ndjson`; null otherwise. */
export function formatFromPath(path: string): ImportFormat | null {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return null;
}

/**
 * Imports the rows of `text` (a whole CSV or JSONL document) into a workspace, in chunks of `chunkRows`
 * rows, each written in one transaction with its checkpoint: an import interrupted (a crash, a lost
 * connection) and started again with the same file resumes after its last committed chunk, with its counts.
 * A bad row is rejected alone (with its line and the reason) and never stops the import; re-importing a file
 * updates accounts and customers and skips the tickets already imported (by externalId).
 * Throws only when the workspace does not exist or the document cannot be read at all (empty CSV, bad header).
 */
export async function importText(
  desk: Pick<IngestDeps, 'database' | 'now'>,
  workspaceId: string,
  text: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const { kind, format } = options;
  const spec = KINDS[kind];
  const db = desk.database.db;
  try {
    await getWorkspace(db, workspaceId);
  } catch (err) {
    if (err instanceof DeskmindError && err.code === 'not_found') {
      throw new DeskmindError(
        'not_found',
        `Workspace ${workspaceId} was not found; create one with \`deskmind create-workspace\``,
      );
    }
    throw err;
  }
  const normalised = text.replace(/\r\n?/g, '\n');
  const rows = format === 'csv' ? readCsvRows(normalised, spec, kind) : readJsonlRows(normalised);
  const actor = options.actor ?? { type: 'integration', id: null };
  const chunkRows = options.chunkRows ?? IMPORT_CHUNK_ROWS;
  const key = `${kind}:${createHash('sha256').update(normalised).digest('hex')}`;
  const run = options.dryRun ? undefined : await startRun(db, workspaceId, key, kind, rows.length);
  const counts: Counts = {
    created: run?.created ?? 0,
    updated: run?.updated ?? 0,
    skipped: run?.skipped ?? 0,
    rejected: run?.rejected ?? 0,
    rejections: run?.rejections ?? [],
  };
  const progress = (processed: number) => {
    const { rejections: _r, ...rest } = counts;
    options.onProgress?.({ total: rows.length, ...rest, processed });
  };
  // Each chunk is validated while the database writes the one before (see `KindSpec.write`).
  let prepared: PreparedChunk | undefined;
  for (let from = run?.done ?? 0; from < rows.length; from += chunkRows) {
    const chunk = rows.slice(from, from + chunkRows);
    const current = prepared ?? prepareChunk(spec, chunk);
    prepared = undefined;
    const following = rows.slice(from + chunkRows, from + 2 * chunkRows);
    const prepareNext = () => {
      if (following.length) prepared = prepareChunk(spec, following);
    };
    const next: Counts = { ...counts, rejections: [...counts.rejections] };
    await db
      .transaction(async (tx) => {
        // A chunk lost to a crash after its commit returned is lost with its checkpoint, and resuming writes it
        // again: no need to wait for the disk at each commit.
        if (desk.database.kind === 'postgres') await tx.execute(sql`set local synchronous_commit = off`);
        const results = await writeChunk({ db: tx, workspaceId, actor, now: desk.now }, spec, current, prepareNext);
        if (options.dryRun) throw new DryRunRollback(results);
        tally(next, chunk, results, spec);
        const done = from + chunk.length;
        const thisRun = and(eq(importRuns.workspaceId, workspaceId), eq(importRuns.key, key));
        // A finished import leaves no checkpoint: importing the file again starts over.
        if (done === rows.length) await tx.delete(importRuns).where(thisRun);
        else
          await tx
            .update(importRuns)
            .set({ ...next, done, updatedAt: desk.now() })
            .where(thisRun);
      })
      .catch((err: unknown) => {
        if (!(err instanceof DryRunRollback)) throw err;
        tally(next, chunk, err.results, spec);
      });
    Object.assign(counts, next);
    // The embedded database has no autovacuum: without fresh statistics, the next chunks' lookups of the rows
    // just written are planned as on an empty table (a scan of every ticket per chunk).
    if (desk.database.kind === 'pglite' && !options.dryRun) await vacuumDue(desk.database);
    progress(from + chunk.length);
  }
  return { kind, total: rows.length, ...counts };
}

/** The checkpoint of importing `key` into the workspace: an unfinished one to resume, else a fresh one. */
async function startRun(
  db: Db,
  workspaceId: string,
  key: string,
  kind: ImportKind,
  total: number,
): Promise<typeof importRuns.$inferSelect | undefined> {
  if (total === 0) return undefined;
  const [found] = await db
    .select()
    .from(importRuns)
    .where(and(eq(importRuns.workspaceId, workspaceId), eq(importRuns.key, key)));
  if (found && found.total === total) return found;
  const fresh = {
    workspaceId,
    key,
    kind,
    total,
    done: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    rejected: 0,
    rejections: [],
  };
  const [row] = await db
    .insert(importRuns)
    .values(fresh)
    .onConflictDoUpdate({
      target: [importRuns.workspaceId, importRuns.key],
      set: { ...fresh, startedAt: sql`now()`, updatedAt: sql`now()` },
    })
    .returning();
  return row!;
}

/** Reads `path` (format from `options.format` or the extension) and imports it; see {@link importText}. */
export async function importFile(
  desk: Pick<IngestDeps, 'database' | 'now'>,
  workspaceId: string,
  path: string,
  options: Omit<ImportOptions, 'format'> & { format?: ImportFormat | undefined },
): Promise<ImportSummary> {
  const { text, format } = await readImportSource(path, options.format);
  return importText(desk, workspaceId, text, { ...options, format });
}

/**
 * Reads an import file as UTF-8 with its format (`format`, or the one its extension implies), with a clear
 * error when the format is unknown or the file cannot be read.
 */
export async function readImportSource(
  path: string,
  format?: ImportFormat,
): Promise<{ text: string; format: ImportFormat }> {
  const resolved = format ?? formatFromPath(path);
  if (!resolved)
    throw new DeskmindError(
      'validation_failed',
      `Cannot tell the format of ${path} from its extension; pass --format csv or --format jsonl`,
    );
  try {
    return { text: await readFile(path, 'utf8'), format: resolved };
  } catch (err) {
    throw new DeskmindError('validation_failed', `Cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}
