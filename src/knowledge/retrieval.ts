/**
 * Hybrid retrieval over a workspace's published articles: lexical ranking (BM25, in memory) fused with the
 * cosine similarity of embeddings, an intent boost and the learned usefulness of each article.
 *
 * The chunks of a workspace — their embeddings (per embedder) and a BM25 index of their words — are held
 * in memory and reloaded when a cheap fingerprint of the workspace's articles changes, so every process
 * (API or worker) sees saves made by any other process without a message bus. When that index cannot be
 * loaded, the lexical part falls back to PostgreSQL's `ts_rank_cd` over the chunks' `search` tsvectors.
 */
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../store/ctx.js';
import { articleChunks, articles } from '../store/schema.js';
import { chunkContext } from './chunking.js';
import { dot, normalizeInPlace, type Embedder } from './embedders.js';
import { buildLexicalIndex, rankLexical, type LexicalIndex } from './lexical.js';
import type { RetrievalExplanation, SearchHit, SearchResult } from './schemas.js';
import { cachedConfig } from '../store/config-cache.js';

/** Options of a retrieval. */
export interface RetrieveOptions {
  /** How many hits (articles) to return; default 5. */
  k?: number;
  /** The predicted intent: articles that answer it get a boost. */
  intent?: string | null | undefined;
  /**
   * The asking customer's account tier. `undefined`: no audience filter (staff search); `null` (an
   * unknown tier): only articles open to every tier; a tier: articles open to all or to that tier.
   */
  tier?: string | null | undefined;
  /** `weighted` (default): normalised weighted sum; `rrf`: reciprocal-rank fusion. */
  fusion?: 'weighted' | 'rrf';
  /** Weights of the lexical and vector parts (default 0.35 / 0.65); set one to 0 to use the other alone. */
  weights?: { fts: number; vector: number };
  /** Multiplier added for an intent match (default 0.3, i.e. ×1.3). */
  intentBoost?: number;
}

interface IndexedChunk {
  chunkId: string;
  articleId: string;
  title: string;
  heading: string | null;
  text: string;
  tiers: string[];
  intents: string[];
  usefulness: number;
  vector: Float32Array | null;
}

interface WorkspaceIndex {
  fingerprint: string;
  chunks: IndexedChunk[];
  /** BM25 index of `chunks` (document i is chunks[i]). */
  lexical: LexicalIndex;
  /** Embedding of the chunks stored by another embedder: resolves to why it failed, or null; unset until needed or
   * after a failure. */
  embedding: Promise<string | null> | null;
}

const MAX_CACHED = 200;
const cache = new Map<string, Promise<WorkspaceIndex>>();
const cacheKey = (workspaceId: string, embedder: Embedder) => `${workspaceId}|${embedder.id}`;

/** Forgets a workspace's in-memory index (saves call it; other processes notice through the fingerprint). */
export function invalidateRetrievalCache(workspaceId: string): void {
  for (const key of cache.keys()) if (key.startsWith(`${workspaceId}|`)) cache.delete(key);
}

/** Changes whenever an article of the workspace is added, deleted, saved, (un)published or re-scored. */
async function fingerprint(ctx: Ctx): Promise<string> {
  const [row] = await ctx.db
    .select({
      n: sql<number>`count(*)::int`,
      h: sql<string>`coalesce(sum(hashtext(${articles.id}::text || ':' || ${articles.version} || ':' ||
          ${articles.status} || ':' || ${articles.usefulness} || ':' || array_to_string(${articles.tiers}, ',') || ':'
          || array_to_string(${articles.intents}, ','))::bigint), 0)::text`,
    })
    .from(articles)
    .where(eq(articles.workspaceId, ctx.workspaceId));
  return `${row?.n ?? 0}:${row?.h ?? '0'}`;
}

/** A chunk with its article's metadata, as retrieval reads it. */
const CHUNK_COLUMNS = {
  chunkId: articleChunks.id,
  articleId: articleChunks.articleId,
  title: articles.title,
  heading: articleChunks.heading,
  text: articleChunks.text,
  tiers: articles.tiers,
  intents: articles.intents,
  usefulness: articles.usefulness,
};

async function loadIndex(ctx: Ctx, embedder: Embedder, print: string): Promise<WorkspaceIndex> {
  const rows = await ctx.db
    .select({
      ...CHUNK_COLUMNS,
      embedding: articleChunks.embedding,
      embedder: articleChunks.embedder,
    })
    .from(articleChunks)
    .innerJoin(articles, eq(articles.id, articleChunks.articleId))
    .where(and(eq(articleChunks.workspaceId, ctx.workspaceId), eq(articles.status, 'published')));
  const chunks: IndexedChunk[] = rows.map(({ embedding, embedder: by, ...c }) => ({
    ...c,
    vector: embedding && by === embedder.id ? normalizeInPlace(Float32Array.from(embedding)) : null,
  }));
  return { fingerprint: print, chunks, lexical: buildLexicalIndex(chunks), embedding: null };
}

/**
 * Embeds, in memory, the chunks stored by another embedder (the configuration changed), once; resolves to
 * a note on what could not be embedded (tried again by the next retrieval), or null.
 */
function embedStale(index: WorkspaceIndex, embedder: Embedder): Promise<string | null> {
  index.embedding ??= (async () => {
    const stale = index.chunks.filter((c) => c.vector === null);
    if (!stale.length) return null;
    try {
      const vectors = await embedder.embed(stale.map((c) => chunkContext(c.title, c)));
      stale.forEach((c, i) => (c.vector = vectors[i] ?? null));
      return null;
    } catch {
      return `${stale.length} chunk(s) could not be embedded by ${embedder.id}`;
    }
  })();
  const run = index.embedding;
  // After a failure the next retrieval tries again.
  void run.then((note) => note && index.embedding === run && (index.embedding = null));
  return run;
}

/** The workspace's index, reloaded when its fingerprint changed. */
async function indexOf(ctx: Ctx, embedder: Embedder): Promise<WorkspaceIndex> {
  const print = await cachedConfig(ctx.db, ctx.workspaceId, 'kb-fingerprint', () => fingerprint(ctx));
  const key = cacheKey(ctx.workspaceId, embedder);
  const cached = cache.get(key);
  if (cached) {
    const index = await cached.catch(() => null);
    if (index && index.fingerprint === print) {
      cache.delete(key); // keep recently used entries last
      cache.set(key, cached);
      return index;
    }
  }
  const loading = loadIndex(ctx, embedder, print);
  cache.set(key, loading);
  while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  try {
    return await loading;
  } catch (err) {
    cache.delete(key);
    throw err;
  }
}

/** May a customer of `tier` see an article restricted to `tiers`? */
export function tierAllows(tiers: readonly string[], tier: string | null | undefined): boolean {
  if (tier === undefined || tiers.length === 0) return true;
  return tier !== null && tiers.includes(tier.toLowerCase());
}

/** A tsquery matching any of the query's words (`plainto_tsquery` joins them with AND). */
const anyWordQuery = (q: string) => sql`replace(plainto_tsquery('english', ${q})::text, ' & ', ' | ')::tsquery`;

/** Full-text ranks of the best-matching published chunks the tier may see, by PostgreSQL (the fallback when the
 * in-memory index cannot be loaded). */
async function ftsRanks(
  ctx: Ctx,
  query: string,
  tier: string | null | undefined,
  limit: number,
): Promise<Map<string, number>> {
  const tsq = anyWordQuery(query);
  const rank = sql<number>`ts_rank_cd(${articleChunks.search}, ${tsq}, 1)`;
  const tierCond: SQL | undefined =
    tier === undefined
      ? undefined
      : tier === null
        ? sql`cardinality(${articles.tiers}) = 0`
        : sql`(cardinality(${articles.tiers}) = 0 or ${tier.toLowerCase()} = any(${articles.tiers}))`;
  const rows = await ctx.db
    .select({ chunkId: articleChunks.id, rank })
    .from(articleChunks)
    .innerJoin(articles, eq(articles.id, articleChunks.articleId))
    .where(
      and(
        eq(articleChunks.workspaceId, ctx.workspaceId),
        eq(articles.status, 'published'),
        tierCond,
        sql`${articleChunks.search} @@ ${tsq}`,
      ),
    )
    .orderBy(desc(rank))
    .limit(limit);
  return new Map(rows.map((r) => [r.chunkId, Number(r.rank)]));
}

const RRF_K = 60;
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** BM25 scores of the index's chunks that hold a query term and that the tier may see, by chunk id. */
function lexicalRanks(index: WorkspaceIndex, query: string, tier: string | null | undefined): Map<string, number> {
  const scores = rankLexical(
    index.lexical,
    query,
    tier === undefined ? undefined : (doc) => tierAllows(index.chunks[doc]!.tiers, tier),
  );
  const byId = new Map<string, number>();
  for (const [doc, score] of scores) byId.set(index.chunks[doc]!.chunkId, score);
  return byId;
}

/**
 * Finds the passages that best answer `query`: the best chunk of each of the top `k` articles.
 * Drafts are never returned, nor articles the given tier may not see. The lexical part is BM25 over
 * the in-memory index; when that index cannot be loaded it is PostgreSQL's `ts_rank_cd` (and vector
 * search is off). When the embedder fails the search falls back to lexical ranking alone. The
 * explanation says which ranking was used and why anything is missing.
 *
 * @example
 * const { hits } = await retrieve(ctx, embedder, 'how do I change my password?', { intent: 'password_reset', tier:
 * 'pro' });
 */
export async function retrieve(
  ctx: Ctx,
  embedder: Embedder,
  query: string,
  options: RetrieveOptions = {},
): Promise<SearchResult> {
  const started = performance.now();
  const k = options.k ?? 5;
  const weights = options.weights ?? { fts: 0.35, vector: 0.65 };
  const boost = options.intentBoost ?? 0.3;
  const fusion = options.fusion ?? 'weighted';
  const intent = options.intent ?? null;

  let degraded: string | null = null;
  const useVectors = weights.vector > 0;
  const [index, queryVector] = await Promise.all([
    indexOf(ctx, embedder).catch(() => null),
    useVectors
      ? embedder.embed([query]).then(
          (v) => v[0] ?? null,
          () => null,
        )
      : Promise.resolve(null),
  ]);
  const stale = useVectors && index && queryVector ? await embedStale(index, embedder) : null;
  if (!index)
    degraded =
      `in-memory index unavailable: ` +
      [useVectors ? 'no vector search' : '', weights.fts > 0 ? 'lexical ranking by PostgreSQL ts_rank_cd' : '']
        .filter(Boolean)
        .join('; ');
  else if (useVectors && !queryVector)
    degraded = `vector search unavailable (${embedder.id} failed); full-text ranking only`;
  else degraded = stale;

  const lexical: RetrievalExplanation['lexical'] = index ? 'bm25' : 'ts_rank_cd';
  const fts =
    weights.fts <= 0
      ? new Map<string, number>()
      : index
        ? lexicalRanks(index, query, options.tier)
        : await ftsRanks(ctx, query, options.tier, 200);

  // Candidates: every visible chunk when vectors are used, else the lexical matches.
  const vectorScores = new Map<string, number>();
  let candidates: IndexedChunk[];
  if (!index) candidates = fts.size ? await chunksById(ctx, [...fts.keys()]) : [];
  else if (queryVector) {
    candidates = index.chunks.filter((c) => tierAllows(c.tiers, options.tier));
    for (const c of candidates) if (c.vector) vectorScores.set(c.chunkId, dot(queryVector, c.vector));
  } else candidates = index.chunks.filter((c) => fts.has(c.chunkId));

  let maxFts = 0;
  for (const f of fts.values()) if (f > maxFts) maxFts = f;
  const rankOf = (scores: Map<string, number>) =>
    new Map([...scores.entries()].sort((a, b) => b[1] - a[1]).map(([id], i) => [id, i + 1]));
  const ftsRank = fusion === 'rrf' ? rankOf(fts) : null;
  const vecRank = fusion === 'rrf' ? rankOf(vectorScores) : null;

  const best = new Map<string, SearchHit>();
  for (const c of candidates) {
    const f = maxFts > 0 ? (fts.get(c.chunkId) ?? 0) / maxFts : 0; // 1 for the best lexical match
    const v = vectorScores.get(c.chunkId) ?? 0;
    let fused: number;
    if (fusion === 'rrf') {
      const fr = ftsRank!.get(c.chunkId);
      const vr = vecRank!.get(c.chunkId);
      fused = (fr ? weights.fts / (RRF_K + fr) : 0) + (vr ? weights.vector / (RRF_K + vr) : 0);
    } else {
      fused = weights.fts * f + weights.vector * Math.max(0, v);
    }
    if (fused <= 0) continue;
    const intentMatch = intent !== null && c.intents.includes(intent);
    const score = fused * (intentMatch ? 1 + boost : 1) * c.usefulness;
    const prev = best.get(c.articleId);
    if (prev && prev.score >= score) continue;
    best.set(c.articleId, {
      articleId: c.articleId,
      articleTitle: c.title,
      chunkId: c.chunkId,
      heading: c.heading,
      text: c.text,
      score: round(score),
      ftsRank: round(f),
      vectorScore: round(v),
      intentMatch,
      usefulness: c.usefulness,
    });
  }
  const hits = [...best.values()].sort((a, b) => b.score - a.score).slice(0, k);
  const explanation: RetrievalExplanation = {
    method:
      `${fusion === 'rrf' ? 'reciprocal-rank fusion' : 'weighted sum'} of lexical ` +
      `(${lexical === 'bm25' ? 'BM25 in memory' : 'PostgreSQL ts_rank_cd'}; ${weights.fts}) ` +
      `and vector (${weights.vector}) scores; ×${1 + boost} for the intent; × article usefulness`,
    lexical,
    embedder: embedder.id,
    ftsMatches: fts.size,
    vectorCandidates: vectorScores.size,
    intent,
    tier: options.tier ?? null,
    degraded,
    tookMs: Math.round((performance.now() - started) * 10) / 10,
  };
  return { hits, explanation };
}

/** The chunks (with their article's metadata) of full-text matches, used when the in-memory index is unavailable. */
async function chunksById(ctx: Ctx, ids: string[]): Promise<IndexedChunk[]> {
  const rows = await ctx.db
    .select(CHUNK_COLUMNS)
    .from(articleChunks)
    .innerJoin(articles, eq(articles.id, articleChunks.articleId))
    .where(and(eq(articleChunks.workspaceId, ctx.workspaceId), inArray(articleChunks.id, ids)));
  return rows.map((r) => ({ ...r, vector: null }));
}
