import { z } from 'zod';
import { updateTopics } from '../../../insights/topics.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/insights/topics/refresh` */
export const refreshTopicsRoute: Route = (app, desk) => {
  app.post(
    '/insights/topics/refresh',
    {
      config: { access: ADMIN, audit: 'before' },
      schema: {
        tags: ['insights'],
        summary:
          'Assign waiting tickets to topics now; with recluster, re-cluster the window (a sample of 5,000 at most)',
        body: z
          .object({ recluster: z.boolean().default(false) })
          .strict()
          .optional(),
        response: { 200: z.object({ assigned: z.number(), topics: z.number(), created: z.number() }) },
      },
    },
    async (request) =>
      updateTopics(ctxOf(desk, request), desk.embedder, { recluster: request.body?.recluster ?? false }),
  );
};
