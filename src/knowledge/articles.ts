/**
 * Knowledge-base articles: create, read, list, update (each save is a new version), delete.
 * Every save re-chunks and re-embeds the article and writes its chunks in the same transaction.
 */
import { and, arrayContains, asc, desc, eq, gt, ilike, or, sql, type SQL } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { mapUnique } from '../store/pg-errors.js';
import { articleChunks, articles, articleVersions } from '../store/schema.js';
import { chunkContext, chunkMarkdown, type Chunk } from './chunking.js';
import type { Embedder } from './embedders.js';
import { invalidateRetrievalCache } from './retrieval.js';
import type { Article, ArticleInput, ArticleListQuery, ArticlePatch, ArticleVersion } from './schemas.js';

type ArticleRow = typeof articles.$inferSelect;
const DUPLICATE = 'An article with this externalId';

const scope = (ctx: Ctx, id: string) => and(eq(articles.workspaceId, ctx.workspaceId), eq(articles.id, id));

function toArticle(row: ArticleRow): Article {
  const { workspaceId: _w, ...rest } = row;
  return rest;
}

/** The content fields an article version records. */
type Content = Pick<ArticleRow, 'title' | 'body' | 'tags' | 'intents' | 'tiers' | 'walkthrough'>;

interface PreparedChunks {
  key: string;
  chunks: (Chunk & { embedding: Float32Array })[];
  embedder: string;
}

/** Chunks and embeds an article's text (before any transaction opens, so a slow endpoint holds no locks). */
async function prepareChunks(embedder: Embedder, title: string, body: string): Promise<PreparedChunks> {
  const chunks = chunkMarkdown(body);
  const vectors = await embedder.embed(chunks.map((c) => chunkContext(title, c)));
  return {
    key: `${title}\u0000${body}`,
    embedder: embedder.id,
    chunks: chunks.map((c, i) => ({ ...c, embedding: vectors[i]! })),
  };
}

/** Replaces an article's chunks (call inside the save's transaction). */
async function writeChunks(ctx: Ctx, articleId: string, title: string, prepared: PreparedChunks): Promise<void> {
  await ctx.db.delete(articleChunks).where(eq(articleChunks.articleId, articleId));
  if (prepared.chunks.length === 0) return;
  await ctx.db.insert(articleChunks).values(
    prepared.chunks.map((c) => ({
      workspaceId: ctx.workspaceId,
      articleId,
      ordinal: c.ordinal,
      heading: c.heading,
      text: c.text,
      search: sql`setweight(to_tsvector('english', ${title}), 'A') || setweight(to_tsvector('english',
          ${c.heading ?? ''}), 'B') || to_tsvector('english', ${c.text})`,
      embedding: Array.from(c.embedding),
      embedder: prepared.embedder,
    })),
  );
}

async function appendVersion(ctx: Ctx, row: ArticleRow): Promise<void> {
  await ctx.db.insert(articleVersions).values({
    workspaceId: ctx.workspaceId,
    articleId: row.id,
    version: row.version,
    title: row.title,
    body: row.body,
    tags: row.tags,
    intents: row.intents,
    tiers: row.tiers,
    walkthrough: row.walkthrough,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    createdAt: ctx.now(),
  });
}

/** Runs `fn` in a transaction (a savepoint when `ctx` is already in one) with `ctx` bound to it. */
const inTx = <T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> => ctx.db.transaction((db) => fn({ ...ctx, db }));

/** Creates an article (version 1) with its chunks. */
export async function createArticle(ctx: Ctx, embedder: Embedder, input: ArticleInput): Promise<Article> {
  const prepared = await prepareChunks(embedder, input.title, input.body);
  const row = await inTx(ctx, async (tx) => {
    const [created] = await mapUnique(DUPLICATE, () =>
      tx.db
        .insert(articles)
        .values({
          ...input,
          walkthrough: input.walkthrough ?? null,
          workspaceId: ctx.workspaceId,
          createdAt: ctx.now(),
          updatedAt: ctx.now(),
        })
        .returning(),
    );
    await appendVersion(tx, created!);
    await writeChunks(tx, created!.id, created!.title, prepared);
    return created!;
  });
  invalidateRetrievalCache(ctx.workspaceId);
  return toArticle(row);
}

/** An article of the workspace; `not_found` otherwise. */
export async function getArticle(ctx: Ctx, id: string): Promise<Article> {
  const [row] = await ctx.db.select().from(articles).where(scope(ctx, id));
  if (!row) throw notFound('Article', id);
  return toArticle(row);
}

/** The article with this external id, or null. */
export async function findArticleByExternalId(ctx: Ctx, externalId: string): Promise<Article | null> {
  const [row] = await ctx.db
    .select()
    .from(articles)
    .where(and(eq(articles.workspaceId, ctx.workspaceId), eq(articles.externalId, externalId)));
  return row ? toArticle(row) : null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lists articles by id (cursor pagination), filtered by intent, tag, status and words of the title or body. */
export async function listArticles(ctx: Ctx, query: ArticleListQuery): Promise<Article[]> {
  const conds: (SQL | undefined)[] = [
    eq(articles.workspaceId, ctx.workspaceId),
    query.intent ? arrayContains(articles.intents, [query.intent]) : undefined,
    query.tag ? arrayContains(articles.tags, [query.tag]) : undefined,
    query.status ? eq(articles.status, query.status) : undefined,
    query.cursor ? gt(articles.id, query.cursor) : undefined,
  ];
  if (query.q) {
    const like = `%${escapeLike(query.q)}%`;
    conds.push(
      or(
        sql`to_tsvector('english', ${articles.title} || ' ' || ${articles.body}) @@ websearch_to_tsquery('english',
            ${query.q})`,
        ilike(articles.title, like),
      ),
    );
  }
  const rows = await ctx.db
    .select()
    .from(articles)
    .where(and(...conds))
    .orderBy(asc(articles.id))
    .limit(query.limit);
  return rows.map(toArticle);
}

/** Key-order-independent JSON, to compare stored jsonb (whose key order PostgreSQL changes) with input. */
const canonical = (v: unknown): string =>
  JSON.stringify(v ?? null, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );

/** True when applying `patch` to `article` changes nothing. */
export function isUnchanged(article: Article, patch: ArticlePatch): boolean {
  return (Object.keys(patch) as (keyof ArticlePatch)[]).every(
    (k) => patch[k] === undefined || canonical(article[k]) === canonical(patch[k]),
  );
}

/**
 * Changes an article. A change is a new version (recorded with the actor) and re-chunks the article;
 * a patch that changes nothing returns the article as it is.
 */
export async function updateArticle(ctx: Ctx, embedder: Embedder, id: string, patch: ArticlePatch): Promise<Article> {
  const current = await getArticle(ctx, id);
  if (isUnchanged(current, patch)) return current;
  const title = patch.title ?? current.title;
  const body = patch.body ?? current.body;
  let prepared = await prepareChunks(embedder, title, body);
  const row = await inTx(ctx, async (tx) => {
    const [locked] = await tx.db.select().from(articles).where(scope(ctx, id)).for('update');
    if (!locked) throw notFound('Article', id);
    const next: Content = {
      title: patch.title ?? locked.title,
      body: patch.body ?? locked.body,
      tags: patch.tags ?? locked.tags,
      intents: patch.intents ?? locked.intents,
      tiers: patch.tiers ?? locked.tiers,
      walkthrough: patch.walkthrough === undefined ? locked.walkthrough : patch.walkthrough,
    };
    // Someone else changed the text meanwhile: embed what will actually be stored.
    if (prepared.key !== `${next.title}\u0000${next.body}`)
      prepared = await prepareChunks(embedder, next.title, next.body);
    const [updated] = await mapUnique(DUPLICATE, () =>
      tx.db
        .update(articles)
        .set({
          ...next,
          ...(patch.externalId !== undefined ? { externalId: patch.externalId } : {}),
          ...(patch.status ? { status: patch.status } : {}),
          version: locked.version + 1,
          updatedAt: ctx.now(),
        })
        .where(scope(ctx, id))
        .returning(),
    );
    await appendVersion(tx, updated!);
    await writeChunks(tx, id, updated!.title, prepared);
    return updated!;
  });
  invalidateRetrievalCache(ctx.workspaceId);
  return toArticle(row);
}

/** Deletes an article with its versions and chunks. */
export async function deleteArticle(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db.delete(articles).where(scope(ctx, id)).returning({ id: articles.id });
  if (rows.length === 0) throw notFound('Article', id);
  invalidateRetrievalCache(ctx.workspaceId);
}

function toVersion(row: typeof articleVersions.$inferSelect): ArticleVersion {
  const { workspaceId: _w, id: _id, ...rest } = row;
  return rest;
}

/** Every saved version of an article, newest first. */
export async function listArticleVersions(ctx: Ctx, articleId: string): Promise<ArticleVersion[]> {
  await getArticle(ctx, articleId);
  const rows = await ctx.db
    .select()
    .from(articleVersions)
    .where(and(eq(articleVersions.workspaceId, ctx.workspaceId), eq(articleVersions.articleId, articleId)))
    .orderBy(desc(articleVersions.version));
  return rows.map(toVersion);
}

/** One saved version of an article; `not_found` when the article or version does not exist. */
export async function getArticleVersion(ctx: Ctx, articleId: string, version: number): Promise<ArticleVersion> {
  const [row] = await ctx.db
    .select()
    .from(articleVersions)
    .where(
      and(
        eq(articleVersions.workspaceId, ctx.workspaceId),
        eq(articleVersions.articleId, articleId),
        eq(articleVersions.version, version),
      ),
    );
  if (!row) throw notFound(`Version ${version} of article`, articleId);
  return toVersion(row);
}

/** The chunks of an article in order (for inspection and tests). */
export async function listArticleChunks(ctx: Ctx, articleId: string) {
  await getArticle(ctx, articleId);
  return ctx.db
    .select({
      id: articleChunks.id,
      ordinal: articleChunks.ordinal,
      heading: articleChunks.heading,
      text: articleChunks.text,
      embedder: articleChunks.embedder,
    })
    .from(articleChunks)
    .where(and(eq(articleChunks.workspaceId, ctx.workspaceId), eq(articleChunks.articleId, articleId)))
    .orderBy(asc(articleChunks.ordinal));
}
