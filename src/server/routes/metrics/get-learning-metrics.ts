import { learningMetrics } from '../../../metrics/learning.js';
import { LearningReportSchema, MetricsRangeQuerySchema } from '../../../metrics/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/metrics/learning` */
export const getLearningMetricsRoute: Route = (app, desk) => {
  app.get(
    '/metrics/learning',
    {
      config: { access: STAFF },
      schema: {
        tags: ['metrics'],
        summary: 'Intent accuracy against human labels per week, and model versions',
        querystring: MetricsRangeQuerySchema,
        response: { 200: LearningReportSchema },
      },
    },
    async (request) => learningMetrics(ctxOf(desk, request), request.query),
  );
};
