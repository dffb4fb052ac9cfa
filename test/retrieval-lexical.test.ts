import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createArticle, updateArticle } from '../src/knowledge/articles.js';
import { createEmbedder, type Embedder } from '../src/knowledge/embedders.js';
import { buildLexicalIndex, lexicalTerms, rankLexical } from '../src/knowledge/lexical.js';
import { invalidateRetrievalCache, retrieve, type RetrieveOptions } from '../src/knowledge/retrieval.js';
import type { ArticleInput } from '../src/knowledge/schemas.js';
import { systemActor, type Ctx } from '../src/store/ctx.js';
import { createWorkspace } from '../src/people/create-workspace.js';
import { articles } from '../src/store/schema.js';
import { serveLocally } from './fakes/http.js';
import { backends, openTestDatabase } from './helpers.js';

/**
 * A local OpenAI-compatible embeddings endpoint (documented wire format: letter-frequency vectors) that
 * can be told to refuse batches (several inputs: the chunks), while single queries still work.
 */
async function embeddingsEndpoint() {
  const state = { refuseBatches: false, batches: 0, queries: 0 };
  const server = await serveLocally((req, raw) => ({
    answer: (res) => {
      const body = JSON.parse(raw || '{}');
      const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
      if (inputs.length > 1) state.batches++;
      else state.queries++;
      res.setHeader('content-type', 'application/json');
      if (req.url !== '/v1/embeddings' || (inputs.length > 1 && state.refuseBatches)) {
        res.writeHead(400).end(JSON.stringify({ error: { message: 'bad request', type: 'invalid_request_error' } }));
        return;
      }
      const data = inputs.map((text, index) => {
        const v = new Array(26).fill(0);
        for (const ch of text.toLowerCase()) if (ch >= 'a' && ch <= 'z') v[ch.charCodeAt(0) - 97] += 1;
        return { object: 'embedding', index, embedding: v };
      });
      res
        .writeHead(200)
        .end(JSON.stringify({ object: 'list', data, model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    },
  }));
  return { baseUrl: `${server.origin}/v1`, state, close: () => server.close() };
}

describe('lexical terms and BM25', () => {
  it('lower-cases, expands contractions, drops English stop words and stems', () => {
    expect(lexicalTerms("The passwords weren't RESET, I'm locked out")).toEqual(['password', 'reset', 'lock']);
    expect(lexicalTerms('how can I do it?')).toEqual([]);
    expect(lexicalTerms('invoicing')).toEqual(lexicalTerms('invoices'));
  });

  const docs = [
    {
      title: 'Download invoices',
      heading: null,
      text: 'Every bill is a PDF under Billing. Receipts are emailed after each payment.',
    },
    {
      title: 'Shipping times',
      heading: null,
      text: 'Orders ship within two days. The invoice is in the parcel; ask us for another invoice copy.',
    },
    {
      title: 'Account security',
      heading: 'Passwords',
      text: 'Use a strong password and never share it with anyone at all.',
    },
    {
      title: 'Reset your password',
      heading: null,
      text: 'Click Forgot password on the sign-in page to get a reset link.',
    },
  ];
  const index = buildLexicalIndex(docs);
  const order = (q: string, allow?: (d: number) => boolean) =>
    [...rankLexical(index, q, allow).entries()].sort((a, b) => b[1] - a[1]).map(([d]) => d);

  it('ranks a title match above body mentions, and the document with every query word first', () => {
    expect(order('invoice')).toEqual([0, 1]);
    expect(order('I forgot my password')).toEqual([3, 2]);
    expect(order('forgot password')[0]).toBe(3);
  });

  it(
    'scores only documents holding a query term, leaves out what `allow` refuses, and keeps no state between ' +
      'queries',
    () => {
      expect(order('parcel')).toEqual([1]);
      expect(order('zebra')).toEqual([]);
      expect(order('the of and')).toEqual([]);
      expect(order('invoice password', (d) => d !== 0 && d !== 3)).toEqual(expect.arrayContaining([1, 2]));
      expect(order('invoice password', (d) => d !== 0 && d !== 3)).toHaveLength(2);
      const first = rankLexical(index, 'invoice');
      rankLexical(index, 'password', () => false);
      expect(rankLexical(index, 'invoice')).toEqual(first);
      expect(rankLexical(buildLexicalIndex([]), 'invoice').size).toBe(0);
    },
  );
});

describe.each(backends())('lexical retrieval on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let ctx: Ctx;
  const embedder: Embedder = createEmbedder(loadConfig({ logLevel: 'silent' }));
  const ids = new Map<string, string>();
  const FTS: RetrieveOptions = { weights: { fts: 1, vector: 0 }, k: 10 };
  const article = (title: string, body: string, more: Partial<ArticleInput> = {}): ArticleInput => ({
    title,
    body,
    tags: [],
    intents: [],
    tiers: [],
    status: 'published',
    ...more,
  });
  const titles = async (q: string, opts: RetrieveOptions = FTS, c: Ctx = ctx) =>
    (await retrieve(c, embedder, q, opts)).hits.map((h) => h.articleTitle);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const { workspace } = await createWorkspace(database.db, { name: 'lexical' });
    ctx = { db: database.db, workspaceId: workspace.id, actor: systemActor, now: () => new Date() };
    const kb = [
      article(
        'Reset your password',
        'Click **Forgot password** on the sign-in page. We email you a reset link that works for one hour.',
      ),
      article('Account security', 'Use a strong password and never share it. We never ask for your password by phone.'),
      article('Download invoices', 'Every bill is a PDF under Billing. Receipts are emailed after each payment.'),
      article(
        'Shipping times',
        'Orders ship within two days. The invoice is in the parcel; ask us for another invoice copy.',
      ),
      article('Set up single sign-on', 'Configure SAML with Okta or Azure AD under Settings → Security.', {
        tiers: ['enterprise'],
      }),
      article('Export all your data', 'Export everything as a zebra archive of CSV files.', { status: 'draft' }),
    ];
    for (const a of kb) ids.set(a.title, (await createArticle(ctx, embedder, a)).id);
  });
  afterAll(async () => {
    await database?.close();
    await database?.cleanup();
  });

  it(
    'ranks in memory with BM25, also without vectors: stems match, stop words are ignored, titles weigh ' + 'more',
    async () => {
      const res = await retrieve(ctx, embedder, 'passwords', FTS);
      expect(res.explanation).toMatchObject({ lexical: 'bm25', degraded: null, ftsMatches: 2, vectorCandidates: 0 });
      expect(res.explanation.method).toMatch(/BM25 in memory/);
      expect(res.hits.map((h) => h.articleTitle)).toEqual(['Reset your password', 'Account security']);
      expect(res.hits[0]!.ftsRank).toBe(1); // normalised by the best lexical score
      expect(res.hits[1]!.ftsRank).toBeGreaterThan(0);
      expect(res.hits[1]!.ftsRank).toBeLessThan(1);

      expect(await titles('I forgot my password')).toEqual(['Reset your password', 'Account security']);
      // title above two body mentions
      expect(await titles('the invoice')).toEqual(['Download invoices', 'Shipping times']);
      expect(await titles('invoicing')).toEqual(await titles('invoice'));
      const stop = await retrieve(ctx, embedder, 'how can I do it?', FTS);
      expect(stop.hits).toEqual([]);
      expect(stop.explanation.ftsMatches).toBe(0);

      // Hybrid retrieval uses the same index for its lexical part.
      const hybrid = await retrieve(ctx, embedder, 'I forgot my password');
      expect(hybrid.explanation).toMatchObject({ lexical: 'bm25', degraded: null, ftsMatches: 2 });
      expect(hybrid.hits[0]).toMatchObject({ articleTitle: 'Reset your password', ftsRank: 1 });
    },
  );

  it('keeps tier restrictions and never indexes drafts', async () => {
    const sso = 'configure SAML with Okta';
    expect(await titles(sso, { ...FTS, tier: 'enterprise' })).toEqual(['Set up single sign-on']);
    expect(await titles(sso, { ...FTS, tier: 'Enterprise' })).toEqual(['Set up single sign-on']);
    expect(await titles(sso)).toEqual(['Set up single sign-on']); // staff search: no audience filter
    for (const tier of ['pro', null]) {
      const res = await retrieve(ctx, embedder, sso, { ...FTS, tier });
      expect(res.hits).toEqual([]);
      expect(res.explanation.ftsMatches).toBe(0);
      expect(await titles(sso, { tier, k: 20 })).not.toContain('Set up single sign-on');
    }
    const draft = await retrieve(ctx, embedder, 'zebra archive', FTS);
    expect(draft.hits).toEqual([]);
    expect(draft.explanation.ftsMatches).toBe(0);
  });

  it('sees edits and publications, also those made by another process (through the fingerprint)', async () => {
    await updateArticle(ctx, embedder, ids.get('Shipping times')!, { body: 'Orders ship within two days by courier.' });
    expect(await titles('invoice')).toEqual(['Download invoices']);
    expect(await titles('courier')).toEqual(['Shipping times']);

    // Another process publishes the draft: this process's cache is not told, the fingerprint changes.
    await database.db
      .update(articles)
      .set({ status: 'published' })
      .where(eq(articles.id, ids.get('Export all your data')!));
    expect(await titles('zebra archive')).toEqual(['Export all your data']);
    await database.db
      .update(articles)
      .set({ status: 'draft' })
      .where(eq(articles.id, ids.get('Export all your data')!));
    expect(await titles('zebra archive')).toEqual([]);
  });

  it('falls back to PostgreSQL ts_rank_cd when the in-memory index cannot be loaded', async () => {
    // The database as a process sees it whose index load fails: the select of the chunks' embeddings throws.
    const db = new Proxy(database.db, {
      get(target, prop) {
        if (prop === 'select') {
          return (fields?: Parameters<typeof target.select>[0]) => {
            if (fields && 'embedding' in fields) throw new Error('out of memory');
            return target.select(fields!);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const failing: Ctx = { ...ctx, db };
    invalidateRetrievalCache(ctx.workspaceId);

    const res = await retrieve(failing, embedder, 'I forgot my passwords', FTS);
    expect(res.explanation).toMatchObject({ lexical: 'ts_rank_cd', ftsMatches: 2 });
    expect(res.explanation.method).toMatch(/PostgreSQL ts_rank_cd/);
    expect(res.explanation.degraded).toBe('in-memory index unavailable: lexical ranking by PostgreSQL ts_rank_cd');
    expect(res.hits.map((h) => h.articleTitle)).toEqual(['Reset your password', 'Account security']);
    expect(res.hits[0]!.ftsRank).toBe(1);

    const hybrid = await retrieve(failing, embedder, 'I forgot my password');
    expect(hybrid.explanation).toMatchObject({ lexical: 'ts_rank_cd', vectorCandidates: 0 });
    expect(hybrid.explanation.degraded).toBe(
      'in-memory index unavailable: no vector search; lexical ranking by PostgreSQL ts_rank_cd',
    );
    expect(hybrid.hits[0]!.articleTitle).toBe('Reset your password');

    const sso = 'configure SAML with Okta';
    expect(await titles(sso, { ...FTS, tier: 'enterprise' }, failing)).toEqual(['Set up single sign-on']);
    expect(await titles(sso, { ...FTS, tier: 'pro' }, failing)).toEqual([]);
    expect(await titles('zebra archive', FTS, failing)).toEqual([]);

    // Once the index loads again, BM25 is back.
    expect((await retrieve(ctx, embedder, 'I forgot my password', FTS)).explanation).toMatchObject({
      lexical: 'bm25',
      degraded: null,
    });
  });

  it('embeds chunks stored by another embedder once, lazily, and tries again after a failure', async () => {
    const endpoint = await embeddingsEndpoint();
    try {
      const remote = createEmbedder(
        loadConfig({
          logLevel: 'silent',
          embeddingsBaseUrl: endpoint.baseUrl,
          embeddingsModel: 'test-embed',
          embeddingsApiKey: 'sk-test',
        }),
      );
      const { workspace } = await createWorkspace(database.db, { name: 'switched embedder' });
      const other: Ctx = { ...ctx, workspaceId: workspace.id };
      await createArticle(
        other,
        embedder,
        article('Rotate API keys', 'Create a new key under Settings → API, deploy it, then revoke the old key.'),
      );
      await createArticle(other, embedder, article('Invite teammates', 'Invite people by email from Settings → Team.'));

      // Lexical retrieval needs no embedding at all.
      expect(await titles('rotate API keys', FTS, other)).toEqual(['Rotate API keys']);
      expect(endpoint.state).toMatchObject({ batches: 0, queries: 0 });

      endpoint.state.refuseBatches = true;
      const failed = await retrieve(other, remote, 'rotate my API key');
      expect(failed.explanation).toMatchObject({
        lexical: 'bm25',
        degraded: '2 chunk(s) could not be embedded by openai:test-embed',
        vectorCandidates: 0,
      });
      expect(failed.hits[0]).toMatchObject({ articleTitle: 'Rotate API keys', vectorScore: 0 });
      await retrieve(other, remote, 'rotate my API key');
      expect(endpoint.state.batches).toBe(2); // tried again

      endpoint.state.refuseBatches = false;
      const found = await retrieve(other, remote, 'rotate my API key');
      expect(found.explanation).toMatchObject({ lexical: 'bm25', degraded: null, vectorCandidates: 2 });
      expect(found.hits[0]!.vectorScore).toBeGreaterThan(0);
      await retrieve(other, remote, 'invite a teammate');
      expect(endpoint.state.batches).toBe(3); // embedded once, kept
    } finally {
      await endpoint.close();
    }
  });
});
