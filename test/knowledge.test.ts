import { createServer, type IncomingMessage, type Server } from 'node:http';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArticle, listArticleChunks } from '../src/knowledge/articles.js';
import { chunkMarkdown } from '../src/knowledge/chunking.js';
import { BuiltinEmbedder, createEmbedder, OpenAIEmbedder, type Embedder } from '../src/knowledge/embedders.js';
import { importArticles, readArticleSource } from '../src/knowledge/import.js';
import { retrieve } from '../src/knowledge/retrieval.js';
import { runKbImport } from '../src/cli/commands/kb.js';
import { loadConfig } from '../src/config.js';
import { knowledgeRoutes } from '../src/server/routes/knowledge/index.js';
import type { Ctx } from '../src/store/ctx.js';
import { articles } from '../src/store/schema.js';
import { Deskmind } from '../src/app.js';
import { TEMPLATE_DIR } from './template.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/kb');
const words = (n: number, w = 'word') => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');

describe('chunking', () => {
  it('splits by heading and paragraph, keeps headings, and stays within 80–250 words', () => {
    const body = [
      `Intro ${words(40)}.`,
      `## Setup`,
      `${words(120, 'a')}.`,
      `${words(120, 'b')}.`,
      `## Tiny`,
      `Just a short note.`,
      `## Huge`,
      `${words(600, 'c')}.`,
      '```sh\ncurl https://example.com\n\nwith a blank line\n```',
    ].join('\n\n');
    const chunks = chunkMarkdown(body);
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    for (const c of chunks) expect(c.text.split(/\s+/).length).toBeLessThanOrEqual(250);
    expect(chunks.filter((c) => c.heading === 'Huge').length).toBeGreaterThanOrEqual(3);
    expect(chunks.find((c) => c.text.includes('a0'))!.heading).toBe('Setup');
    // A section too small to stand alone is merged into its neighbour, its heading kept inline.
    expect(chunks.some((c) => c.heading === 'Tiny')).toBe(false);
    expect(chunks.find((c) => c.text.includes('Just a short note'))!.text).toContain('Tiny\n\nJust a short note');
    // Code fences are never split at their blank lines.
    expect(chunks.find((c) => c.text.includes('curl'))!.text).toContain('with a blank line');
  });

  it('strips markdown noise: links, images and emphasis', () => {
    const [c] = chunkMarkdown('Click **Save** and see [the docs](https://x.example/docs) ![logo](l.png).');
    expect(c!.text).toBe('Click Save and see the docs logo.');
  });
});

describe('built-in embedder', () => {
  it('embeds paraphrases closer than unrelated texts, with unit-length vectors', async () => {
    const e = createEmbedder(loadConfig({ logLevel: 'silent' }));
    expect(e).toBeInstanceOf(BuiltinEmbedder);
    const [a, b, c] = await e.embed([
      'I forgot my password',
      'cannot remember my login credentials',
      'refund for a double charge on my card',
    ]);
    const cos = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(a!.length).toBe(e.dims);
    expect(cos(a!, a!)).toBeCloseTo(1, 4);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, c!));
  });

  it('works without word vectors (character n-grams only)', async () => {
    const e = createEmbedder(loadConfig({ logLevel: 'silent', wordVectors: 'off' }));
    expect(e.id).toBe('builtin:cng256@1');
    const [v] = await e.embed(['hello']);
    expect(v!.length).toBe(256);
  });
});

/** A local OpenAI-compatible embeddings server (documented wire format), recording what it was sent. */
async function fakeEmbeddingsServer() {
  const requests: { url: string; auth: string | undefined; body: any }[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || '{}');
    requests.push({ url: req.url ?? '', auth: req.headers.authorization, body });
    const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
    if (req.method !== 'POST' || req.url !== '/v1/embeddings' || inputs.some((s) => s.includes('FAIL'))) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'bad request', type: 'invalid_request_error' } }));
      return;
    }
    // Letter-frequency vectors: texts sharing words come out similar. Answer in reverse order to check `index` is
    // honoured.
    const data = inputs.map((text, index) => {
      const v = new Array(26).fill(0);
      for (const ch of text.toLowerCase()) if (ch >= 'a' && ch <= 'z') v[ch.charCodeAt(0) - 97] += 1;
      return { object: 'embedding', index, embedding: v };
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        object: 'list',
        data: data.reverse(),
        model: body.model,
        usage: { prompt_tokens: 1, total_tokens: 1 },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { baseUrl, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('deskmind kb import', () => {
  it('imports a CSV file into a workspace of the embedded database, idempotently', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deskmind-kb-'));
    try {
      cpSync(TEMPLATE_DIR, dir, { recursive: true });
      const config = loadConfig({ logLevel: 'silent', dataDir: dir, worker: false });
      const desk = await Deskmind.open({ config, worker: false });
      const { workspace } = await desk.createWorkspace('CLI');
      await desk.close();
      const csv = path.join(FIXTURES, 'articles.csv');
      expect(await runKbImport(csv, { workspace: workspace.id }, config)).toEqual({
        created: 2,
        updated: 0,
        unchanged: 0,
        rejected: [],
      });
      expect(await runKbImport(csv, { workspace: workspace.id }, config)).toEqual({
        created: 0,
        updated: 0,
        unchanged: 2,
        rejected: [],
      });
      await expect(
        runKbImport(csv, { workspace: '00000000-0000-4000-8000-000000000000' }, config),
      ).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(backends())('knowledge base on %s', (kind) => {
  let t: TestDesk;
  let a: Awaited<ReturnType<typeof newWorkspace>>;
  let b: Awaited<ReturnType<typeof newWorkspace>>;
  let ctxA: Ctx;
  let agentKey: string;
  const embedder: Embedder = createEmbedder(loadConfig({ logLevel: 'silent' }));
  const asAgent = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const res = await t.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${agentKey}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.json() as any, headers: res.headers };
  };
  const top = async (q: string, opts: Parameters<typeof retrieve>[3] = {}) =>
    (await retrieve(ctxA, embedder, q, opts)).hits.map((h) => h.articleTitle);

  beforeAll(async () => {
    t = await openTestDesk(kind);
    // Until server.ts registers the knowledge routes, register them here.
    if (!t.server.hasRoute({ method: 'GET', url: '/api/v1/articles' }))
      await t.server.register(knowledgeRoutes(t.desk), { prefix: '/api/v1' });
    a = await newWorkspace(t, 'A');
    b = await newWorkspace(t, 'B');
    ctxA = t.desk.ctx(a.workspaceId, { type: 'system', id: null });
    agentKey = (await a.call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' })).body.secret;
  });
  afterAll(async () => t?.close());

  it('creates, versions, lists, updates and deletes articles over HTTP', async () => {
    const created = await a.call('POST', '/api/v1/articles', {
      title: 'Webhooks',
      body: 'Add a webhook under **Settings → Webhooks**.',
      tags: ['api'],
      intents: ['webhooks'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: 'Webhooks',
      version: 1,
      status: 'published',
      tiers: [],
      walkthrough: null,
      usefulness: 1,
    });
    const id = created.body.id;

    const patched = await a.call('PATCH', `/api/v1/articles/${id}`, {
      title: 'Webhooks and events',
      walkthrough: [{ title: 'Open settings', selector: '#settings' }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      title: 'Webhooks and events',
      version: 2,
      tags: ['api'],
      intents: ['webhooks'],
    });
    // Saving the same content again is not a new version.
    expect(
      (
        await a.call('PATCH', `/api/v1/articles/${id}`, {
          title: 'Webhooks and events',
          walkthrough: [{ selector: '#settings', title: 'Open settings' }],
        })
      ).body.version,
    ).toBe(2);

    const versions = await a.call('GET', `/api/v1/articles/${id}/versions`);
    expect(versions.body.data.map((v: any) => [v.version, v.title, v.actorType])).toEqual([
      [2, 'Webhooks and events', 'integration'],
      [1, 'Webhooks', 'integration'],
    ]);
    expect((await a.call('GET', `/api/v1/articles/${id}/versions/1`)).body).toMatchObject({
      version: 1,
      title: 'Webhooks',
      walkthrough: null,
    });
    const missing = await a.call('GET', `/api/v1/articles/${id}/versions/3`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);

    expect((await a.call('GET', '/api/v1/articles?intent=webhooks')).body.data.map((x: any) => x.id)).toEqual([id]);
    expect((await a.call('GET', '/api/v1/articles?tag=api&q=webhook')).body.data.map((x: any) => x.id)).toEqual([id]);
    expect((await a.call('GET', '/api/v1/articles?intent=nothing_like_it')).body.data).toEqual([]);
    // Agents read and search; only admins write.
    expect((await asAgent('GET', `/api/v1/articles/${id}`)).status).toBe(200);
    expect((await asAgent('POST', '/api/v1/articles', { title: 'x', body: 'y' })).status).toBe(403);

    expect((await a.call('DELETE', `/api/v1/articles/${id}`)).status).toBe(204);
    expect((await a.call('GET', `/api/v1/articles/${id}`)).status).toBe(404);
  });

  it('rejects bad input with problem+json', async () => {
    for (const [method, url, body] of [
      ['POST', '/api/v1/articles', { title: 'No body' }],
      ['POST', '/api/v1/articles', { title: 'T', body: 'B', walkthrough: [{ title: 'no selector' }] }],
      ['POST', '/api/v1/articles', { title: 'T', body: 'B', status: 'archived' }],
      ['POST', '/api/v1/articles/import', { not: 'an array' }],
      ['GET', '/api/v1/knowledge/search?q=x&k=0', undefined],
      ['GET', '/api/v1/knowledge/search', undefined],
      ['GET', '/api/v1/articles/not-a-uuid', undefined],
    ] as const) {
      const res = await a.call(method, url, body);
      expect(res.status, `${method} ${url}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
    }
    const dup = { title: 'Dup', body: 'Same key', externalId: 'dup' };
    expect((await a.call('POST', '/api/v1/articles', dup)).status).toBe(201);
    const conflict = await a.call('POST', '/api/v1/articles', dup);
    expect([conflict.status, conflict.body.code]).toEqual([409, 'conflict']);
  });

  it('imports a folder of markdown with front matter, idempotently', async () => {
    const items = await readArticleSource(path.join(FIXTURES, 'articles'));
    const first = await importArticles(ctxA, embedder, items);
    expect(first).toEqual({ created: 6, updated: 0, unchanged: 0, rejected: [] });
    expect(await importArticles(ctxA, embedder, items)).toEqual({ created: 0, updated: 0, unchanged: 6, rejected: [] });

    const list = (await a.call('GET', '/api/v1/articles?limit=200')).body.data as any[];
    const byKey = new Map(list.map((x) => [x.externalId, x]));
    const reset = byKey.get('reset-password');
    expect(reset.intents).toEqual(['password_reset', 'account_access']);
    expect(reset.walkthrough).toEqual([
      { title: 'Open the sign-in page', selector: 'a[href="/login"]' },
      {
        title: 'Click "Forgot password?"',
        selector: '#forgot-password',
        body: 'It is right under the password field.',
      },
      { title: 'Enter your email and send the link', selector: 'form#reset button[type=submit]' },
    ]);
    // Title from the first heading, lists from "a|b" strings, tiers lower-cased, status and externalId from front
    // matter.
    expect(byKey.get('two-factor')).toMatchObject({
      title: 'Two-factor authentication',
      tags: ['account', 'security'],
      intents: ['two_factor'],
    });
    expect(byKey.get('two-factor').body.startsWith('## Turn on')).toBe(true);
    expect(byKey.get('sso').tiers).toEqual(['enterprise']);
    expect(byKey.get('export-everything').status).toBe('draft');

    // The stored chunks carry their heading and the embedder that made them.
    const chunks = await listArticleChunks(ctxA, reset.id);
    expect(chunks.map((c) => c.heading)).toEqual(['Reset a forgotten password']);
    expect(chunks[0]!.text).toContain('The reset email does not arrive');
    expect(chunks[0]!.embedder).toBe(embedder.id);

    // A changed file is a new version; the others stay as they are.
    const changed = items.map((it) =>
      it.item === 'sso.md'
        ? {
            ...it,
            data: {
              ...(it.data as object),
              body:
                'Single sign-on works with Okta and Azure AD. Paste the SAML metadata URL in Settings → ' +
                'Security → SSO.',
            },
          }
        : it,
    );
    expect(await importArticles(ctxA, embedder, changed)).toEqual({
      created: 0,
      updated: 1,
      unchanged: 5,
      rejected: [],
    });
    expect((await a.call('GET', `/api/v1/articles/${byKey.get('sso').id}`)).body.version).toBe(2);
  });

  it('imports JSON and CSV, reporting rejected items with their reason', async () => {
    const json = await importArticles(ctxA, embedder, await readArticleSource(path.join(FIXTURES, 'articles.json')));
    expect([json.created, json.updated, json.unchanged]).toEqual([2, 0, 0]);
    expect(json.rejected.map((r) => r.item)).toEqual(['#3', '#4']);
    expect(json.rejected[1]!.reason).toMatch(/tiers/);
    const viaOp = await importArticles(ctxA, embedder, await readArticleSource(path.join(FIXTURES, 'articles.csv')));
    expect(viaOp).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: [] });
    const limits = (await a.call('GET', '/api/v1/articles?q=rate%20limits')).body.data[0];
    expect(limits).toMatchObject({
      externalId: 'api-rate-limits',
      tags: ['api', 'limits'],
      tiers: ['pro', 'enterprise'],
    });

    const viaHttp = await a.call('POST', '/api/v1/articles/import', [
      {
        title: 'Change your plan',
        body:
          'Upgrade or downgrade under **Billing → Plan**. Upgrades take effect at once and are prorated; ' +
          'downgrades apply at the next renewal.',
        tags: ['billing'],
        intents: ['plan_change'],
      },
      { body: 'untitled' },
    ]);
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body).toMatchObject({ created: 0, updated: 0, unchanged: 1, rejected: [{ item: '#2' }] });
  });

  it('finds the right article for paraphrased questions', async () => {
    expect((await top("I can't remember my login password"))[0]).toBe('Reset your password');
    expect((await top('I was charged twice and want my money back'))[0]).toBe('Refunds and double charges');
    expect((await top('where do I get a PDF receipt for my payment?'))[0]).toBe('Download invoices and receipts');
    expect((await top('how do I enable 2FA with an authenticator app'))[0]).toBe('Two-factor authentication');
    expect((await top('I want to stop paying and end my subscription'))[0]).toBe('Cancel your subscription');
    const { hits, explanation } = await retrieve(ctxA, embedder, 'forgot password', { k: 2 });
    expect(hits.length).toBe(2);
    expect(hits[0]).toMatchObject({
      articleTitle: 'Reset your password',
      heading: 'Reset a forgotten password',
      intentMatch: false,
    });
    expect(hits[0]!.ftsRank).toBeGreaterThan(0);
    expect(hits[0]!.vectorScore).toBeGreaterThan(0);
    expect(explanation).toMatchObject({ embedder: embedder.id, degraded: null });
  });

  it('respects tiers and never returns drafts', async () => {
    const sso = 'configure SAML single sign-on with Okta';
    expect((await top(sso, { tier: 'enterprise' }))[0]).toBe('Set up single sign-on (SAML)');
    expect((await top(sso, { tier: 'Enterprise' }))[0]).toBe('Set up single sign-on (SAML)');
    expect(await top(sso, { tier: 'pro', k: 20 })).not.toContain('Set up single sign-on (SAML)');
    expect(await top(sso, { tier: null, k: 20 })).not.toContain('Set up single sign-on (SAML)');
    expect((await top(sso))[0]).toBe('Set up single sign-on (SAML)'); // staff search: no audience filter
    expect(await top('export all my data as a ZIP archive of CSV files', { k: 50 })).not.toContain(
      'Export all your data',
    );

    // Publishing the draft makes it findable at once (the cache notices the change).
    const [draft] = await t.desk.database.db
      .select()
      .from(articles)
      .where(eq(articles.externalId, 'export-everything'));
    expect((await a.call('PATCH', `/api/v1/articles/${draft!.id}`, { status: 'published' })).body.version).toBe(2);
    expect((await top('export all my data as a ZIP archive of CSV files'))[0]).toBe('Export all your data');
  });

  it('boosts the predicted intent and weighs usefulness', async () => {
    const q = 'I have a question about a payment';
    const withIntent = await retrieve(ctxA, embedder, q, { intent: 'invoice_request' });
    expect(withIntent.hits[0]).toMatchObject({ articleTitle: 'Download invoices and receipts', intentMatch: true });
    expect((await retrieve(ctxA, embedder, q, { intent: 'refund_request' })).hits[0]).toMatchObject({
      articleTitle: 'Refunds and double charges',
      intentMatch: true,
    });

    // An article that keeps failing customers (low usefulness, written by the learner) sinks, even across processes.
    const pw = "I can't remember my login password";
    await t.desk.database.db
      .update(articles)
      .set({ usefulness: 0.05 })
      .where(eq(articles.externalId, 'reset-password'));
    expect((await top(pw))[0]).not.toBe('Reset your password');
    await t.desk.database.db.update(articles).set({ usefulness: 1 }).where(eq(articles.externalId, 'reset-password'));
    expect((await top(pw))[0]).toBe('Reset your password');
  });

  it('searches over HTTP with scores, for staff', async () => {
    const res = await asAgent(
      'GET',
      '/api/v1/knowledge/search?q=forgot%20my%20password&intent=password_reset&tier=pro&k=3',
    );
    expect(res.status).toBe(200);
    expect(res.body.hits.length).toBeLessThanOrEqual(3);
    expect(res.body.hits[0]).toMatchObject({ articleTitle: 'Reset your password', intentMatch: true });
    for (const key of ['score', 'ftsRank', 'vectorScore']) expect(typeof res.body.hits[0][key]).toBe('number');
    expect(res.body.explanation).toMatchObject({ intent: 'password_reset', tier: 'pro' });
  });

  it('keeps workspaces apart', async () => {
    const [reset] = await t.desk.database.db.select().from(articles).where(eq(articles.externalId, 'reset-password'));
    expect((await b.call('GET', `/api/v1/articles/${reset!.id}`)).status).toBe(404);
    expect((await b.call('GET', `/api/v1/articles/${reset!.id}/versions`)).status).toBe(404);
    expect((await b.call('PATCH', `/api/v1/articles/${reset!.id}`, { title: 'hijacked' })).status).toBe(404);
    expect((await b.call('DELETE', `/api/v1/articles/${reset!.id}`)).status).toBe(404);
    expect((await b.call('GET', '/api/v1/articles')).body.data).toEqual([]);
    expect((await b.call('GET', '/api/v1/knowledge/search?q=forgot%20password')).body.hits).toEqual([]);
    // The same externalId may exist in each workspace.
    expect(
      (
        await b.call('POST', '/api/v1/articles', {
          title: 'Reset',
          body: 'B’s own article',
          externalId: 'reset-password',
        })
      ).status,
    ).toBe(201);
  });

  it('embeds through an OpenAI-compatible endpoint and falls back to full-text when it fails', async () => {
    const fake = await fakeEmbeddingsServer();
    try {
      const remote = createEmbedder(
        loadConfig({
          logLevel: 'silent',
          embeddingsBaseUrl: fake.baseUrl,
          embeddingsModel: 'test-embed',
          embeddingsApiKey: 'sk-test',
        }),
      );
      expect(remote).toBeInstanceOf(OpenAIEmbedder);
      const [x, y] = await remote.embed(['aaa', 'zzz b']);
      expect(fake.requests[0]).toMatchObject({
        url: '/v1/embeddings',
        auth: 'Bearer sk-test',
        body: { model: 'test-embed', input: ['aaa', 'zzz b'], encoding_format: 'float' },
      });
      expect(remote.dims).toBe(26);
      expect(x![0]).toBeCloseTo(1); // answers came in reverse order: `index` put them back
      expect(y![25]).toBeGreaterThan(y![1]!);

      const ctxB = t.desk.ctx(b.workspaceId, { type: 'agent', id: null });
      await createArticle(ctxB, remote, {
        title: 'Rotate API keys',
        body: 'Create a new key under Settings → API, deploy it, then revoke the old key.',
        tags: [],
        intents: [],
        tiers: [],
        status: 'published',
      });
      const found = await retrieve(ctxB, remote, 'rotate my API key');
      expect(found.hits[0]).toMatchObject({ articleTitle: 'Rotate API keys' });
      expect(found.hits[0]!.vectorScore).toBeGreaterThan(0);
      expect(found.explanation).toMatchObject({ embedder: 'openai:test-embed', degraded: null });

      const failed = await retrieve(ctxB, remote, 'rotate API key FAIL');
      expect(failed.explanation.degraded).toMatch(/full-text ranking only/);
      expect(failed.hits[0]).toMatchObject({ articleTitle: 'Rotate API keys', vectorScore: 0 });
      await expect(remote.embed(['FAIL'])).rejects.toMatchObject({ code: 'not_ready' });
    } finally {
      await fake.close();
    }
  });
});
