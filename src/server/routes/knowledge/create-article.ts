import * as articleOps from '../../../knowledge/articles.js';
import { ArticleInputSchema, ArticleSchema } from '../../../knowledge/schemas.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/articles` */
export const createArticleRoute: Route = (app, desk) => {
  const { embedder } = desk;
  const tags = ['knowledge'];
  app.post(
    '/articles',
    {
      config: { access: ADMIN },
      schema: { tags, summary: 'Create an article', body: ArticleInputSchema, response: { 201: ArticleSchema } },
    },
    async (request, reply) =>
      reply.code(201).send(await articleOps.createArticle(ctxOf(desk, request), embedder, request.body)),
  );
};
