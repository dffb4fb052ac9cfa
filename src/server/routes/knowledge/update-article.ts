import * as articleOps from '../../../knowledge/articles.js';
import { ArticlePatchSchema, ArticleSchema } from '../../../knowledge/schemas.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `PATCH /api/v1/articles/:id` */
export const updateArticleRoute: Route = (app, desk) => {
  const { embedder } = desk;
  const tags = ['knowledge'];
  app.patch(
    '/articles/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Change an article (a new version)',
        params: Params,
        body: ArticlePatchSchema,
        response: { 200: ArticleSchema },
      },
    },
    async (request) => articleOps.updateArticle(ctxOf(desk, request), embedder, request.params.id, request.body),
  );
};
