/**
 * Schemas of the knowledge base: article inputs, patches and outputs, versions, imports and search.
 * The API validates with them and the TypeScript types are inferred from them.
 */
import { z } from 'zod';
import { ACTOR_TYPES } from '../domain/enums.js';
import { Timestamp } from '../domain/schemas.js';

const label = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}_:.-]+$/u, 'letters, digits, _ : . - only');
/** A list of labels, de-duplicated (order kept). */
const labels = (max: number, lower = false) =>
  z
    .array(lower ? label.toLowerCase() : label)
    .max(max)
    .transform((v) => [...new Set(v)]);

export const ARTICLE_STATUSES = ['published', 'draft'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

/** One step of a guided walkthrough: the widget highlights the element `selector` names. */
export const WalkthroughStepSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    selector: z.string().trim().min(1).max(500),
    body: z.string().trim().max(2000).optional(),
  })
  .strict();
export type WalkthroughStepInput = z.infer<typeof WalkthroughStepSchema>;

/** A stable, URL-safe key of an article (`reset-password`), used to upsert on import. */
export const ExternalIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\p{L}\p{N}_.\-/]+$/u, 'letters, digits, _ . - / only');

/** Fields of an article without defaults: the shape shared by input and patch. */
const articleFields = {
  externalId: ExternalIdSchema.nullish(),
  title: z.string().trim().min(1).max(300),
  /** Markdown. */
  body: z.string().trim().min(1).max(200_000),
  tags: labels(50),
  /** Intents (taxonomy nodes) the article answers. */
  intents: labels(50),
  /** Account tiers that may see the article; empty means everyone. Lower-cased. */
  tiers: labels(20, true),
  walkthrough: z.array(WalkthroughStepSchema).max(50).nullish(),
  status: z.enum(ARTICLE_STATUSES),
};

/** A new article. */
export const ArticleInputSchema = z
  .object({
    ...articleFields,
    tags: articleFields.tags.default([]),
    intents: articleFields.intents.default([]),
    tiers: articleFields.tiers.default([]),
    status: articleFields.status.default('published'),
  })
  .strict();
export type ArticleInput = z.infer<typeof ArticleInputSchema>;

/** A change to an article: only the fields given change (no defaults are applied). */
export const ArticlePatchSchema = z.object(articleFields).partial().strict();
export type ArticlePatch = z.infer<typeof ArticlePatchSchema>;

const walkthroughOut = z
  .array(z.object({ title: z.string(), selector: z.string(), body: z.string().optional() }))
  .nullable();

/** An article (its current version) as the API returns it. */
export const ArticleSchema = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  intents: z.array(z.string()),
  tiers: z.array(z.string()),
  walkthrough: walkthroughOut,
  status: z.enum(ARTICLE_STATUSES),
  version: z.number().int(),
  /** Learned usefulness multiplier (answers that get reopened lower it). */
  usefulness: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Article = z.infer<typeof ArticleSchema>;

/** A saved version of an article, with who saved it. */
export const ArticleVersionSchema = ArticleSchema.pick({
  version: true,
  title: true,
  body: true,
  tags: true,
  intents: true,
  tiers: true,
  walkthrough: true,
  createdAt: true,
}).extend({
  articleId: z.uuid(),
  actorType: z.enum(ACTOR_TYPES),
  actorId: z.string().nullable(),
});
export type ArticleVersion = z.infer<typeof ArticleVersionSchema>;

/** Filters of the article list. `q` matches words of the title or body. */
export const ArticleListQuerySchema = z
  .object({
    intent: label.optional(),
    tag: label.optional(),
    status: z.enum(ARTICLE_STATUSES).optional(),
    q: z.string().trim().min(1).max(500).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.uuid().optional(),
  })
  .strict();
export type ArticleListQuery = z.infer<typeof ArticleListQuerySchema>;

/** One item an import could not take, and why. */
export const ImportRejectionSchema = z.object({ item: z.string(), reason: z.string() });

/** The outcome of an article import. */
export const ArticleImportResultSchema = z.object({
  created: z.number().int().min(0),
  updated: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  rejected: z.array(ImportRejectionSchema),
});
export type ArticleImportResult = z.infer<typeof ArticleImportResultSchema>;

/** Knowledge search parameters (HTTP query string). */
export const SearchQuerySchema = z
  .object({
    q: z.string().trim().min(1).max(2000),
    intent: label.optional(),
    /** The asking customer's account tier: articles restricted to other tiers are left out. */
    tier: label.toLowerCase().optional(),
    k: z.coerce.number().int().min(1).max(50).default(5),
  })
  .strict();

/** One retrieved passage: the best chunk of an article, with the scores that ranked it. */
export const SearchHitSchema = z.object({
  articleId: z.uuid(),
  articleTitle: z.string(),
  chunkId: z.uuid(),
  heading: z.string().nullable(),
  text: z.string(),
  /** Final score: fused lexical and vector scores × intent boost × usefulness. */
  score: z.number(),
  /**
   * Lexical score of the chunk divided by the best lexical score of the search (so 1 for the best match,
   * 0 when no query term occurs in the chunk), as the weighted fusion uses it. The score is BM25 over the
   * in-memory index, or PostgreSQL's `ts_rank_cd` when that index is unavailable (see `explanation.lexical`).
   */
  ftsRank: z.number(),
  /** Cosine similarity of the query and chunk embeddings. */
  vectorScore: z.number(),
  intentMatch: z.boolean(),
  /** The article's learned usefulness (1 = no record; answers marked wrong lower it). */
  usefulness: z.number(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

/** How a retrieval was computed, for the decision record and for agents. */
export const RetrievalExplanationSchema = z.object({
  method: z.string(),
  /** The lexical ranking used: `bm25` over the in-memory index, or `ts_rank_cd` (PostgreSQL) when the index could not
   * be loaded. */
  lexical: z.enum(['bm25', 'ts_rank_cd']),
  embedder: z.string(),
  /** Visible chunks holding at least one query term (capped at 200 with `ts_rank_cd`). */
  ftsMatches: z.number().int(),
  vectorCandidates: z.number().int(),
  intent: z.string().nullable(),
  tier: z.string().nullable(),
  /** Why a part is missing, when it is (e.g. the embeddings endpoint failed, or the in-memory index could not be
   * loaded). */
  degraded: z.string().nullable(),
  tookMs: z.number(),
});
export type RetrievalExplanation = z.infer<typeof RetrievalExplanationSchema>;

/** The answer of a knowledge search: hits, best first, and how they were ranked. */
export const SearchResultSchema = z.object({ hits: z.array(SearchHitSchema), explanation: RetrievalExplanationSchema });
export type SearchResult = z.infer<typeof SearchResultSchema>;
