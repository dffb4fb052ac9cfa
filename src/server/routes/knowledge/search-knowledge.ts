import { retrieve } from '../../../knowledge/retrieval.js';
import { SearchQuerySchema, SearchResultSchema } from '../../../knowledge/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/knowledge/search` */
export const searchKnowledgeRoute: Route = (app, desk) => {
  const { embedder } = desk;
  const tags = ['knowledge'];
  app.get(
    '/knowledge/search',
    {
      config: { access: STAFF },
      schema: {
        tags,
        summary: 'Hybrid (full-text + vector) search of published articles, with scores',
        querystring: SearchQuerySchema,
        response: { 200: SearchResultSchema },
      },
    },
    async (request) => {
      const { q, k, intent, tier } = request.query;
      return retrieve(ctxOf(desk, request), embedder, q, { k, intent, tier });
    },
  );
};
