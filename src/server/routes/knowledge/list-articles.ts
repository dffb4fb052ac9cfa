import { PageSchema } from '../../../domain/schemas.js';
import * as articleOps from '../../../knowledge/articles.js';
import { ArticleListQuerySchema, ArticleSchema } from '../../../knowledge/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/articles` */
export const listArticlesRoute: Route = (app, desk) => {
  const tags = ['knowledge'];
  app.get(
    '/articles',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'List articles (filter by intent, tag, status, words)',
        querystring: ArticleListQuerySchema,
        response: { 200: PageSchema(ArticleSchema) },
      },
    },
    async (request) => {
      const rows = await articleOps.listArticles(ctxOf(desk, request), request.query);
      return { data: rows, nextCursor: rows.length === request.query.limit ? rows.at(-1)!.id : null };
    },
  );
};
