import { z } from 'zod';
import * as articleOps from '../../../knowledge/articles.js';
import { ArticleVersionSchema } from '../../../knowledge/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/articles/:id/versions` */
export const listArticleVersionsRoute: Route = (app, desk) => {
  const tags = ['knowledge'];
  app.get(
    '/articles/:id/versions',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Saved versions of an article, newest first',
        params: Params,
        response: { 200: z.object({ data: z.array(ArticleVersionSchema) }) },
      },
    },
    async (request) => ({ data: await articleOps.listArticleVersions(ctxOf(desk, request), request.params.id) }),
  );
};
