import * as articleOps from '../../../knowledge/articles.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `DELETE /api/v1/articles/:id` */
export const deleteArticleRoute: Route = (app, desk) => {
  const tags = ['knowledge'];
  app.delete(
    '/articles/:id',
    { config: { access: ADMIN }, schema: { tags, summary: 'Delete an article and its versions', params: Params } },
    async (request, reply) => {
      await articleOps.deleteArticle(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    },
  );
};
