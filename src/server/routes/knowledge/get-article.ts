import * as articleOps from '../../../knowledge/articles.js';
import { ArticleSchema } from '../../../knowledge/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/articles/:id` */
export const getArticleRoute: Route = (app, desk) => {
  const tags = ['knowledge'];
  app.get(
    '/articles/:id',
    {
      config: { access: STAFF },
      schema: { tags, summary: 'An article', params: Params, response: { 200: ArticleSchema } },
    },
    async (request) => articleOps.getArticle(ctxOf(desk, request), request.params.id),
  );
};
