/**
 * Bulk import of accounts, customers and tickets from CSV (header row) or JSONL files.
 *
 * Every row is validated with the domain's zod schemas and written in its own transaction, so a bad row is
 * rejected (with its line number and the reason) and never stops the import. Imports are idempotent:
 * accounts upsert on externalId, customers on externalId or email, and tickets already imported (same
 * externalId) are skipped. Tickets are written through the ticket services, not `Deskmind.createTicket`, so
 * the live pipeline is not queued per row. Nothing here prints: progress goes through a callback.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deskmind } from '../app.js';
import { DeskmindError } from '../domain/errors.js';
import { assertStorableText } from '../domain/text.js';
import {
  AccountInputSchema,
  CustomerInputSchema,
  MessageInputSchema,
  TicketCreateSchema,
  TicketPatchSchema,
  type TicketPatch,
} from '../domain/schemas.js';
import type { TicketStatus } from '../domain/enums.js';
import { tickets } from '../store/schema.js';
import { createAccount, findAccountByExternalId, updateAccount } from './accounts.js';
import type { Actor, Ctx } from './context.js';
import { createCustomer, findCustomer, updateCustomer } from './customers.js';
import { addMessage, createTicket, updateTicket } from './tickets.js';
import { getWorkspace } from './workspaces.js';

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

/** Reported after each row. */
export type ImportProgress = Omit<ImportSummary, 'kind' | 'rejections'> & { processed: number };

export interface ImportOptions {
  kind: ImportKind;
  format: ImportFormat;
  /** Validate and write every row, then roll each one back: the summary is exact but nothing is stored. */
  dryRun?: boolean;
  /** Who the timeline events are attributed to (default: an integration). */
  actor?: Actor;
  onProgress?: (progress: ImportProgress) => void;
}

// ── row schemas ─────────────────────────────────────────────────────────────

/** Statuses a ticket may be imported with (`closed` goes through `resolved`). */
export const TICKET_IMPORT_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const satisfies readonly TicketStatus[];

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
/** A validated row, ready to be written in a transaction. */
type Write = (ctx: Ctx) => Promise<Outcome>;

interface KindSpec {
  /** The columns (JSONL keys) a row may have, besides `attr.<name>`. */
  columns: readonly string[];
  /** Columns converted from text to numbers. */
  numeric?: readonly string[];
  /** Whether `attr.<name>` columns (and a JSONL `attributes` object) are accepted. */
  attributes: boolean;
  /** Names rejection paths after the file's columns when the schema's shape differs from the file's. */
  paths?: Record<string, string>;
  /** Validates the row (throws a ZodError) and returns its write. */
  prepare(fields: Fields): Write;
}

/** The fields of `input` the row actually gave, for a partial update; attributes are merged into `current`. */
function givenFields<T extends { attributes: Record<string, unknown> }>(input: T, fields: Fields, current: Record<string, unknown>): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(fields) as (keyof T & string)[]) if (key in input) out[key] = input[key];
  if (out.attributes) out.attributes = { ...current, ...out.attributes };
  return out;
}

const splitTags = (v: unknown) => (typeof v === 'string' ? v.split(/[,|]/).map((s) => s.trim()).filter(Boolean) : v);

/** The status changes that bring a fresh ticket to its imported status, with the intent set on the first. */
function historyPatches(from: TicketStatus, to: TicketStatus | undefined, intent: string | null | undefined): TicketPatch[] {
  const steps: TicketStatus[] = !to || from === to ? [] : to === 'closed' && from !== 'resolved' ? ['resolved', 'closed'] : [to];
  const patches: TicketPatch[] = steps.map((status) => ({ status }));
  if (intent) patches[0] = { ...patches[0], intent };
  return patches;
}

async function ticketExists(ctx: Ctx, externalId: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: tickets.id })
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.externalId, externalId)));
  return row !== undefined;
}

/** Creates a ticket as of its `createdAt`, adds its later messages and moves it to its imported status. */
async function writeTicket(ctx: Ctx, row: TicketImport): Promise<Outcome> {
  if (row.externalId && (await ticketExists(ctx, row.externalId))) return 'skipped';
  const { status, intent, createdAt, messages, ...create } = row;
  let at = createdAt ? new Date(createdAt) : ctx.now();
  const asOf: Ctx = { ...ctx, now: () => at };
  let { ticket } = await createTicket(asOf, create);
  for (const m of messages) {
    at = m.createdAt ? new Date(m.createdAt) : new Date(at.getTime() + 1); // keeps undated messages in order
    const author = { type: m.author, id: m.author === 'customer' ? ticket.customerId : null };
    ({ ticket } = await addMessage(asOf, ticket.id, { text: m.text, visibility: 'public', attachments: [] }, author));
  }
  for (const patch of historyPatches(ticket.status, status, intent)) await updateTicket(asOf, ticket.id, patch);
  return 'created';
}

const KINDS: Record<ImportKind, KindSpec> = {
  accounts: {
    columns: ['externalId', 'name', 'domain', 'tier', 'plan', 'mrr', 'seats', 'billingState', 'crmId'],
    numeric: ['mrr', 'seats'],
    attributes: true,
    prepare(fields) {
      const input = AccountInputSchema.parse(fields);
      return async (ctx) => {
        const existing = input.externalId ? await findAccountByExternalId(ctx, input.externalId) : null;
        if (!existing) {
          await createAccount(ctx, input);
          return 'created';
        }
        await updateAccount(ctx, existing.id, givenFields(input, fields, existing.attributes));
        return 'updated';
      };
    },
  },
  customers: {
    columns: ['externalId', 'email', 'name', 'locale', 'accountExternalId'],
    attributes: true,
    prepare(fields) {
      const input = CustomerImportSchema.parse(fields);
      return async (ctx) => {
        const existing = await findCustomer(ctx, input);
        if (!existing) {
          await createCustomer(ctx, input);
          return 'created';
        }
        await updateCustomer(ctx, existing.id, givenFields(input, fields, existing.attributes));
        return 'updated';
      };
    },
  },
  tickets: {
    columns: [
      'externalId', 'subject', 'body', 'customerEmail', 'customerExternalId', 'customerName',
      'channel', 'priority', 'tags', 'status', 'intent', 'createdAt', 'messages',
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
      const row = TicketImportSchema.parse({
        ...rest,
        message: { text: body },
        customer: { email: customerEmail, externalId: customerExternalId, name: customerName },
        ...(tags === undefined ? {} : { tags: splitTags(tags) }),
      });
      return (ctx) => writeTicket(ctx, row);
    },
  },
};

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
    throw new DeskmindError('validation_failed', `The CSV header has ${problems.join(' and ')}; ${kind} columns are ${expected}`);
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
      if (rows.at(-1)?.line !== line) rows.push({ line, error: `malformed CSV: ${err?.message ?? 'unreadable record'}` });
    },
  });
  if (rows.length === 0 && text.trim() === '') throw new DeskmindError('validation_failed', 'The CSV file is empty; it needs a header row');
  return rows;
}

function readJsonlRows(text: string): RawRow[] {
  const rows: RawRow[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    const line = i + 1;
    try {
      const value: unknown = JSON.parse(raw);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) rows.push({ line, error: 'expected a JSON object' });
      else rows.push({ line, value: value as Record<string, unknown> });
    } catch (err) {
      rows.push({ line, error: `invalid JSON: ${(err as Error).message}` });
    }
  });
  return rows;
}

/** Maps a raw row to fields: trims text, drops blanks, converts numbers and gathers attributes. Throws on unknown keys. */
function toFields(value: Record<string, unknown>, spec: KindSpec): Fields {
  const fields: Fields = {};
  const attributes: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, raw] of Object.entries(value)) {
    const v = typeof raw === 'string' ? raw.trim() : raw;
    if (v === '' || v === null || v === undefined) continue;
    if (spec.attributes && key === 'attributes' && typeof v === 'object' && !Array.isArray(v)) Object.assign(attributes, v);
    else if (spec.attributes && isAttr(key)) attributes[key.slice('attr.'.length)] = v;
    else if (spec.columns.includes(key)) fields[key] = spec.numeric?.includes(key) && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
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
        const message = issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'required' : issue.message;
        return `${spec.paths?.[path] ?? (path || 'row')}: ${message}`;
      })
      .join('; ');
  }
  if (err instanceof DeskmindError) return err.issues?.length ? `${err.detail} (${err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : err.detail;
  return err instanceof Error ? err.message : String(err);
}

/** Thrown inside a dry run's transaction to roll it back. */
class DryRunRollback extends Error {
  constructor(readonly outcome: Outcome) {
    super('dry run');
  }
}

/** The file format its extension implies: `.csv`, or `.jsonl` / `.ndjson`; null otherwise. */
export function formatFromPath(path: string): ImportFormat | null {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return null;
}

/**
 * Imports the rows of `text` (a whole CSV or JSONL document) into a workspace, one transaction per row.
 * Throws only when the workspace does not exist or the document cannot be read at all (empty CSV, bad header).
 */
export async function importText(desk: Pick<Deskmind, 'database' | 'now'>, workspaceId: string, text: string, options: ImportOptions): Promise<ImportSummary> {
  const { kind, format } = options;
  const spec = KINDS[kind];
  try {
    await getWorkspace(desk.database.db, workspaceId);
  } catch (err) {
    if (err instanceof DeskmindError && err.code === 'not_found') {
      throw new DeskmindError('not_found', `Workspace ${workspaceId} was not found; create one with \`deskmind create-workspace\``);
    }
    throw err;
  }
  const normalised = text.replace(/\r\n?/g, '\n');
  const rows = format === 'csv' ? readCsvRows(normalised, spec, kind) : readJsonlRows(normalised);
  const actor = options.actor ?? { type: 'integration', id: null };
  const summary: ImportSummary = { kind, total: rows.length, created: 0, updated: 0, skipped: 0, rejected: 0, rejections: [] };
  let processed = 0;
  for (const row of rows) {
    try {
      if ('error' in row) throw new DeskmindError('validation_failed', row.error);
      assertStorableText(row.value, 'row');
      const write = spec.prepare(toFields(row.value, spec));
      const outcome = await desk.database.db
        .transaction(async (tx) => {
          const result = await write({ db: tx, workspaceId, actor, now: desk.now });
          if (options.dryRun) throw new DryRunRollback(result);
          return result;
        })
        .catch((err: unknown) => {
          if (err instanceof DryRunRollback) return err.outcome;
          throw err;
        });
      summary[outcome]++;
    } catch (err) {
      summary.rejected++;
      if (summary.rejections.length < MAX_LISTED_REJECTIONS) summary.rejections.push({ line: row.line, reason: reasonOf(err, spec) });
    }
    processed++;
    const { kind: _k, rejections: _r, ...counts } = summary;
    options.onProgress?.({ ...counts, processed });
  }
  return summary;
}

/** Reads `path` (format from `options.format` or the extension) and imports it; see {@link importText}. */
export async function importFile(
  desk: Pick<Deskmind, 'database' | 'now'>,
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
export async function readImportSource(path: string, format?: ImportFormat): Promise<{ text: string; format: ImportFormat }> {
  const resolved = format ?? formatFromPath(path);
  if (!resolved) throw new DeskmindError('validation_failed', `Cannot tell the format of ${path} from its extension; pass --format csv or --format jsonl`);
  try {
    return { text: await readFile(path, 'utf8'), format: resolved };
  } catch (err) {
    throw new DeskmindError('validation_failed', `Cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}
