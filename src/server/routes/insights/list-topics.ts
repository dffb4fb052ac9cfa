import { z } from 'zod';
import { TopicsReportSchema, listTopics } from '../../../insights/topics.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

const TopicsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    minSize: z.coerce.number().int().min(1).optional(),
  })
  .strict();

/** `GET /api/v1/insights/topics` */
export const listTopicsRoute: Route = (app, desk) => {
  app.get(
    '/insights/topics',
    {
      config: { access: STAFF },
      schema: {
        tags: ['insights'],
        summary: 'Topics of recent tickets: label (key phrases), count, week-over-week trend, emerging flag, examples',
        querystring: TopicsQuerySchema,
        response: { 200: TopicsReportSchema },
      },
    },
    async (request) => listTopics(ctxOf(desk, request), request.query),
  );
};
