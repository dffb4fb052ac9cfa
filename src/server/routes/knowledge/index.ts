import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { createArticleRoute } from './create-article.js';
import { listArticlesRoute } from './list-articles.js';
import { importArticlesRoute } from './import-articles.js';
import { getArticleRoute } from './get-article.js';
import { updateArticleRoute } from './update-article.js';
import { deleteArticleRoute } from './delete-article.js';
import { listArticleVersionsRoute } from './list-article-versions.js';
import { getArticleVersionRoute } from './get-article-version.js';
import { searchKnowledgeRoute } from './search-knowledge.js';
import { suggestArticlesRoute } from './suggest-articles.js';

/** The knowledge base: articles, their versions, import and hybrid search. STAFF reads and searches, ADMIN writes. */
export const knowledgeRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    createArticleRoute(app, desk);
    listArticlesRoute(app, desk);
    importArticlesRoute(app, desk);
    getArticleRoute(app, desk);
    updateArticleRoute(app, desk);
    deleteArticleRoute(app, desk);
    listArticleVersionsRoute(app, desk);
    getArticleVersionRoute(app, desk);
    searchKnowledgeRoute(app, desk);
    suggestArticlesRoute(app, desk);
  };
