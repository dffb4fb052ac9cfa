/** Retrieval benchmark of the knowledge base on the Bitext customer-support data set. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { loadConfig } from '../src/config.js';
import { createArticle } from '../src/knowledge/articles.js';
import { createEmbedder } from '../src/knowledge/embedders.js';
import { retrieve, type RetrieveOptions } from '../src/knowledge/retrieval.js';
import { systemActor, type Ctx } from '../src/store/ctx.js';
import { createWorkspace } from '../src/people/create-workspace.js';
import { openPglite } from '../src/store/db.js';

import { machine, writeResult } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));
const FILE = 'Bitext_Sample_Customer_Support_Training_Dataset.csv';
/** Responses per intent that make up its article (rows 0…ARTICLE_ROWS-1 of the intent, in file order). */
const ARTICLE_ROWS = 8;
/** Queries are the requests of rows QUERY_FROM… of each intent (every QUERY_STEP-th, at most QUERY_MAX): disjoint from
 * the article's rows. */
const QUERY_FROM = 40;
const QUERY_STEP = 4;
const QUERY_MAX = 25;
const K = 10;

const CONFIGS: Record<string, RetrieveOptions> = {
  'hybrid (default: weighted 0.35 fts + 0.65 vector)': {},
  'hybrid, reciprocal-rank fusion': { fusion: 'rrf', weights: { fts: 1, vector: 1 } },
  'full-text only (BM25 in memory)': { weights: { fts: 1, vector: 0 } },
  'vector only (built-in embedder)': { weights: { fts: 0, vector: 1 } },
};

const humanise = (intent: string) => intent.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Builds one article per Bitext intent from a slice of its responses (titled by the intent), queries with
 * the requests of a disjoint slice, and measures recall@1/3/5 and MRR@10 (hit: the article of the request's
 * intent) for the default hybrid ranking and its parts. Writes `bench/results/retrieval-bitext.json` and
 * returns the record; null when the data is absent.
 */
export async function benchRetrieval(dataDir: string): Promise<object | null> {
  const file = join(dataDir, 'bitext', FILE);
  if (!existsSync(file)) {
    console.warn(`benchRetrieval: ${file} is absent — skipping the Bitext retrieval benchmark`);
    return null;
  }
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as {
    instruction: string;
    intent: string;
    category: string;
    response: string;
  }[];
  const byIntent = new Map<string, typeof rows>();
  for (const r of rows) byIntent.set(r.intent, [...(byIntent.get(r.intent) ?? []), r]);

  const config = loadConfig({ logLevel: 'silent' });
  const embedder = createEmbedder(config);
  const database = await openPglite(undefined);
  try {
    await database.migrate();
    const { workspace } = await createWorkspace(database.db, { name: 'bench' });
    const ctx: Ctx = { db: database.db, workspaceId: workspace.id, actor: systemActor, now: () => new Date() };

    const articleOf = new Map<string, string>();
    const queries: { text: string; intent: string }[] = [];
    const indexStart = performance.now();
    for (const [intent, list] of byIntent) {
      const body = list
        .slice(0, ARTICLE_ROWS)
        .map((r) => r.response.trim())
        .join('\n\n');
      const article = await createArticle(ctx, embedder, {
        title: humanise(intent),
        body,
        tags: [list[0]!.category.toLowerCase()],
        intents: [intent],
        tiers: [],
        status: 'published',
      });
      articleOf.set(intent, article.id);
      for (let i = QUERY_FROM, n = 0; i < list.length && n < QUERY_MAX; i += QUERY_STEP, n++)
        queries.push({ text: list[i]!.instruction, intent });
    }
    const indexMs = performance.now() - indexStart;
    const [chunks] = (await database.executeSql('select count(*)::int as n from article_chunks')).rows;

    const results: Record<string, unknown> = {};
    for (const [name, options] of Object.entries(CONFIGS)) {
      await retrieve(ctx, embedder, 'warm up', { ...options, k: K });
      let r1 = 0,
        r3 = 0,
        r5 = 0,
        mrr = 0;
      const latencies: number[] = [];
      for (const q of queries) {
        const started = performance.now();
        const { hits } = await retrieve(ctx, embedder, q.text, { ...options, k: K });
        latencies.push(performance.now() - started);
        const rank = hits.findIndex((h) => h.articleId === articleOf.get(q.intent)) + 1;
        if (rank === 1) r1++;
        if (rank >= 1 && rank <= 3) r3++;
        if (rank >= 1 && rank <= 5) r5++;
        if (rank >= 1) mrr += 1 / rank;
      }
      latencies.sort((x, y) => x - y);
      const n = queries.length;
      results[name] = {
        recallAt1: round(r1 / n),
        recallAt3: round(r3 / n),
        recallAt5: round(r5 / n),
        mrrAt10: round(mrr / n),
        latencyMs: {
          mean: round(latencies.reduce((s, x) => s + x, 0) / n),
          p95: round(latencies[Math.floor(n * 0.95)] ?? 0),
        },
      };
    }

    const record = {
      benchmark: 'retrieval-bitext',
      date: new Date().toISOString(),
      machine: `${machine()}, in-memory PGlite`,
      howMeasured:
        `Bitext (${rows.length} rows, ${byIntent.size} intents). One published article per intent, titled by the ` +
        `intent (e.g. "Cancel order"), ` +
        `whose body is the responses of the intent's first ${ARTICLE_ROWS} rows (file order); no request text is ` +
        `in any article. ` +
        `Queries: the requests of rows ${QUERY_FROM}, ${QUERY_FROM + QUERY_STEP}, … of each intent (at most ` +
        `${QUERY_MAX} per intent), disjoint from the article rows. ` +
        `A query is a hit at rank r when the article of its intent is the r-th distinct article returned. No ` +
        `intent or tier is passed (no intent boost). ` +
        `Latency is one retrieve() call (index fingerprint query, embedding the query, BM25 and cosine over every ` +
        `chunk in memory, fusion) after a warm-up.`,
      embedder: embedder.id,
      articles: articleOf.size,
      chunks: Number(chunks?.n ?? 0),
      queries: queries.length,
      indexingMs: Math.round(indexMs),
      results,
    };
    const out = resolve(here, 'results', 'retrieval-bitext.json');
    writeResult(out, record);
    return record;
  } finally {
    await database.close();
  }
}
