import { z } from 'zod';
import { articleItems, importArticles } from '../../../knowledge/import.js';
import { ArticleImportResultSchema } from '../../../knowledge/schemas.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** Items are validated one by one, so one bad article is reported without failing the others. */
const ImportBody = z.array(z.unknown()).min(1).max(1000);

/** `POST /api/v1/articles/import` */
export const importArticlesRoute: Route = (app, desk) => {
  const { embedder } = desk;
  const tags = ['knowledge'];
  app.post(
    '/articles/import',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary:
          "Create or update articles by externalId (default: the title's slug); unchanged ones keep their version",
        body: ImportBody,
        response: { 200: ArticleImportResultSchema },
      },
    },
    async (request) => importArticles(ctxOf(desk, request), embedder, articleItems(request.body)),
  );
};
