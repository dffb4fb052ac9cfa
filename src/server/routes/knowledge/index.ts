import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ArticleSuggestionSchema, suggestArticles } from '../../../learning/suggestions.js';
import type { Deskmind } from '../../../app.js';
import { IdSchema, PageSchema } from '../../../domain/schemas.js';
import * as articleOps from '../../../knowledge/articles.js';
import { articleItems, importArticles } from '../../../knowledge/import.js';
import { retrieve } from '../../../knowledge/retrieval.js';
import {
  ArticleImportResultSchema,
  ArticleInputSchema,
  ArticleListQuerySchema,
  ArticlePatchSchema,
  ArticleSchema,
  ArticleVersionSchema,
  SearchQuerySchema,
  SearchResultSchema,
} from '../../../knowledge/schemas.js';
import { ADMIN, STAFF, ctxOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();
const VersionParams = z.object({ id: IdSchema, version: z.coerce.number().int().min(1) }).strict();
/** Items are validated one by one, so one bad article is reported without failing the others. */
const ImportBody = z.array(z.unknown()).min(1).max(1000);

/** The knowledge base: articles, their versions, import and hybrid search. STAFF reads and searches, ADMIN writes. */
export const knowledgeRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  const { embedder } = desk;
  const tags = ['knowledge'];

  app.post('/articles', { config: { access: ADMIN }, schema: { tags, summary: 'Create an article', body: ArticleInputSchema, response: { 201: ArticleSchema } } },
    async (request, reply) => reply.code(201).send(await articleOps.createArticle(ctxOf(desk, request), embedder, request.body)));
  app.get('/articles', { config: { access: STAFF }, schema: { tags, summary: 'List articles (filter by intent, tag, status, words)', querystring: ArticleListQuerySchema, response: { 200: PageSchema(ArticleSchema) } } },
    async (request) => {
      const rows = await articleOps.listArticles(ctxOf(desk, request), request.query);
      return { data: rows, nextCursor: rows.length === request.query.limit ? rows.at(-1)!.id : null };
    });
  app.post('/articles/import', {
    config: { access: ADMIN },
    schema: { tags, summary: 'Create or update articles by externalId (default: the title\'s slug); unchanged ones keep their version', body: ImportBody, response: { 200: ArticleImportResultSchema } },
  }, async (request) => importArticles(ctxOf(desk, request), embedder, articleItems(request.body)));
  app.get('/articles/:id', { config: { access: STAFF }, schema: { tags, summary: 'An article', params: Params, response: { 200: ArticleSchema } } },
    async (request) => articleOps.getArticle(ctxOf(desk, request), request.params.id));
  app.patch('/articles/:id', { config: { access: ADMIN }, schema: { tags, summary: 'Change an article (a new version)', params: Params, body: ArticlePatchSchema, response: { 200: ArticleSchema } } },
    async (request) => articleOps.updateArticle(ctxOf(desk, request), embedder, request.params.id, request.body));
  app.delete('/articles/:id', { config: { access: ADMIN }, schema: { tags, summary: 'Delete an article and its versions', params: Params } },
    async (request, reply) => {
      await articleOps.deleteArticle(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    });
  app.get('/articles/:id/versions', { config: { access: STAFF }, schema: { tags, summary: 'Saved versions of an article, newest first', params: Params, response: { 200: z.object({ data: z.array(ArticleVersionSchema) }) } } },
    async (request) => ({ data: await articleOps.listArticleVersions(ctxOf(desk, request), request.params.id) }));
  app.get('/articles/:id/versions/:version', { config: { access: STAFF }, schema: { tags, summary: 'One saved version of an article', params: VersionParams, response: { 200: ArticleVersionSchema } } },
    async (request) => articleOps.getArticleVersion(ctxOf(desk, request), request.params.id, request.params.version));
  app.get('/knowledge/search', {
    config: { access: STAFF },
    schema: { tags, summary: 'Hybrid (full-text + vector) search of published articles, with scores', querystring: SearchQuerySchema, response: { 200: SearchResultSchema } },
  }, async (request) => {
    const { q, k, intent, tier } = request.query;
    return retrieve(ctxOf(desk, request), embedder, q, { k, intent, tier });
  });

  app.get('/knowledge/suggestions', {
    config: { access: STAFF },
    schema: {
      tags: ['knowledge'],
      summary: 'Articles to write: recent tickets no article could answer, grouped by intent with key phrases and examples',
      querystring: z.object({ days: z.coerce.number().int().min(1).max(365).default(30), limit: z.coerce.number().int().min(1).max(100).default(20) }).strict(),
      response: { 200: z.object({ data: z.array(ArticleSuggestionSchema) }) },
    },
  }, async (request) => ({ data: await suggestArticles(ctxOf(desk, request), request.query) }));
};
