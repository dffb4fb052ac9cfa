import { z } from 'zod';
import { ArticleSuggestionSchema, suggestArticles } from '../../../learning/suggestions.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/knowledge/suggestions` */
export const suggestArticlesRoute: Route = (app, desk) => {
  app.get(
    '/knowledge/suggestions',
    {
      config: { access: STAFF },
      schema: {
        tags: ['knowledge'],
        summary:
          'Articles to write: recent tickets no article could answer, grouped by intent with key phrases and examples',
        querystring: z
          .object({
            days: z.coerce.number().int().min(1).max(365).default(30),
            limit: z.coerce.number().int().min(1).max(100).default(20),
          })
          .strict(),
        response: { 200: z.object({ data: z.array(ArticleSuggestionSchema) }) },
      },
    },
    async (request) => ({ data: await suggestArticles(ctxOf(desk, request), request.query) }),
  );
};
