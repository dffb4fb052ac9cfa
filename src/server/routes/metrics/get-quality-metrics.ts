import { qualityMetrics } from '../../../metrics/quality.js';
import { QualityQuerySchema, QualityReportSchema } from '../../../metrics/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/metrics/quality` */
export const getQualityMetricsRoute: Route = (app, desk) => {
  app.get(
    '/metrics/quality',
    {
      config: { access: STAFF },
      schema: {
        tags: ['metrics'],
        summary:
          'Support quality: resolution (answers that held) apart from deflection, FCR, reopens, escalations, ' +
          'routing accuracy, times, CSAT',
        querystring: QualityQuerySchema,
        response: { 200: QualityReportSchema },
      },
    },
    async (request) => qualityMetrics(ctxOf(desk, request), request.query),
  );
};
