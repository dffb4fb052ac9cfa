import { z } from 'zod';
import { IdSchema } from '../../../domain/schemas.js';
import * as articleOps from '../../../knowledge/articles.js';
import { ArticleVersionSchema } from '../../../knowledge/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

const VersionParams = z.object({ id: IdSchema, version: z.coerce.number().int().min(1) }).strict();

/** `GET /api/v1/articles/:id/versions/:version` */
export const getArticleVersionRoute: Route = (app, desk) => {
  const tags = ['knowledge'];
  app.get(
    '/articles/:id/versions/:version',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'One saved version of an article',
        params: VersionParams,
        response: { 200: ArticleVersionSchema },
      },
    },
    async (request) => articleOps.getArticleVersion(ctxOf(desk, request), request.params.id, request.params.version),
  );
};
