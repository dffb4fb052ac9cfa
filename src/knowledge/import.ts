/**
 * Article import: a folder of markdown files with front matter, a JSON array, or a CSV file.
 * Articles upsert on `externalId` (a markdown file's name, or the title's slug, when not given); a new
 * version is written only when the content changed. A bad item is rejected with its reason and never
 * stops the import.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import matter from 'gray-matter';
import { DeskmindError } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { createArticle, findArticleByExternalId, isUnchanged, updateArticle } from './articles.js';
import type { Embedder } from './embedders.js';
import { ArticleInputSchema, type ArticleImportResult, type ArticlePatch } from './schemas.js';

/** One item to import: a label for the report (file name, `#3`, `line 4`) and its raw fields. */
export interface ImportItem {
  item: string;
  data: unknown;
}

/** Fields an import reads; anything else in front matter or CSV columns is ignored. */
const FIELDS = ['externalId', 'title', 'body', 'tags', 'intents', 'tiers', 'walkthrough', 'status'] as const;
const LIST_FIELDS = ['tags', 'intents', 'tiers'] as const;

/** `Reset your password!` → `reset-your-password`. */
export function slugify(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
}

/** Splits `a|b`, `a, b` into a list; lists pass through. */
const toList = (v: unknown): unknown =>
  typeof v === 'string'
    ? v
        .split(/[|,]/)
        .map((s) => s.trim())
        .filter(Boolean)
    : v;

function pickFields(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (raw[f] !== undefined && raw[f] !== '') out[f] = raw[f];
  return out;
}

/** Splits list fields given as strings and fills `externalId` from `fallback` (else the title's slug). */
function normaliseItem(raw: Record<string, unknown>, fallback?: string): Record<string, unknown> {
  const out = { ...raw };
  for (const f of LIST_FIELDS) if (out[f] !== undefined) out[f] = toList(out[f]);
  if (out.externalId === undefined || out.externalId === null) {
    const slug = fallback ?? (typeof out.title === 'string' ? slugify(out.title) : '');
    if (slug) out.externalId = slug;
  }
  return out;
}

/** A markdown file with front matter (title defaults to the first `# ` heading, externalId to the file name's slug). */
export function parseMarkdownArticle(name: string, text: string): ImportItem {
  const { data, content } = matter(text);
  const raw = pickFields(data as Record<string, unknown>);
  let body = content.trim();
  const h1 = /^#\s+(.+?)\s*#*\s*(?:\n|$)/.exec(body);
  if (raw.title === undefined && h1) raw.title = h1[1];
  if (h1 && h1[1] === raw.title) body = body.slice(h1[0].length).trim();
  raw.body = body;
  return { item: name, data: normaliseItem(raw, slugify(basename(name, extname(name)))) };
}

/** A JSON array of articles (the API's article input, with lists also accepted as `a|b` strings). */
export function parseJsonArticles(text: string): ImportItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DeskmindError('validation_failed', 'The file is not valid JSON', { cause: err });
  }
  if (!Array.isArray(parsed)) throw new DeskmindError('validation_failed', 'Expected a JSON array of articles');
  return articleItems(parsed);
}

/** Labels raw JSON items `#1`, `#2`… and normalises the objects among them. */
export function articleItems(items: unknown[]): ImportItem[] {
  return items.map((data, i) => ({
    item: `#${i + 1}`,
    data:
      data && typeof data === 'object' && !Array.isArray(data) ? normaliseItem(data as Record<string, unknown>) : data,
  }));
}

/** A CSV file with a header row: title, body, tags, intents, tiers (`|` or `,` separated), optional externalId, status.
 */
export function parseCsvArticles(text: string): ImportItem[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, {
      columns: (h: string[]) => h.map((c) => c.trim()),
      skip_empty_lines: true,
      bom: true,
      relax_column_count: true,
      trim: false,
    });
  } catch (err) {
    throw new DeskmindError('validation_failed', `The CSV file cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return rows.map((row, i) => ({ item: `line ${i + 2}`, data: normaliseItem(pickFields(row)) }));
}

async function markdownFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.')) out.push(...(await markdownFiles(p)));
    else if (entry.isFile() && /\.(md|markdown)$/i.test(entry.name)) out.push(p);
  }
  return out.sort();
}

/** Reads a folder of `.md` files (recursively), one `.md`, a `.json` array or a `.csv` file into import items. */
export async function readArticleSource(path: string): Promise<ImportItem[]> {
  const info = await stat(path);
  if (info.isDirectory()) {
    const files = await markdownFiles(path);
    return Promise.all(files.map(async (f) => parseMarkdownArticle(relative(path, f), await readFile(f, 'utf8'))));
  }
  const text = await readFile(path, 'utf8');
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return parseJsonArticles(text);
  if (ext === '.csv') return parseCsvArticles(text);
  if (ext === '.md' || ext === '.markdown') return [parseMarkdownArticle(basename(path), text)];
  throw new DeskmindError(
    'validation_failed',
    `Cannot import ${basename(path)}: expected a folder of .md files, a .json or a .csv file`,
  );
}

/**
 * Imports items, each in its own transaction: creates new articles, updates changed ones (a new version)
 * and leaves unchanged ones alone.
 */
export async function importArticles(ctx: Ctx, embedder: Embedder, items: ImportItem[]): Promise<ArticleImportResult> {
  const result: ArticleImportResult = { created: 0, updated: 0, unchanged: 0, rejected: [] };
  for (const { item, data } of items) {
    const parsed = ArticleInputSchema.safeParse(data);
    if (!parsed.success) {
      result.rejected.push({
        item,
        reason: parsed.error.issues
          .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
          .join('; '),
      });
      continue;
    }
    const input = parsed.data;
    try {
      const existing = await findArticleByExternalId(ctx, input.externalId!);
      if (!existing) {
        await createArticle(ctx, embedder, input);
        result.created++;
        continue;
      }
      const patch: ArticlePatch = { ...input, walkthrough: input.walkthrough ?? null };
      if (isUnchanged(existing, patch)) {
        result.unchanged++;
        continue;
      }
      await updateArticle(ctx, embedder, existing.id, patch);
      result.updated++;
    } catch (err) {
      if (!(err instanceof DeskmindError) || err.status >= 500) throw err;
      result.rejected.push({ item, reason: err.detail });
    }
  }
  return result;
}
