import { TrendsQuerySchema, TrendsReportSchema, volumeTrends } from '../../../insights/trends.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/insights/trends` */
export const getTrendsRoute: Route = (app, desk) => {
  app.get(
    '/insights/trends',
    {
      config: { access: STAFF },
      schema: {
        tags: ['insights'],
        summary: 'Ticket volume per intent, topic, tier or feature, hourly or daily, with week-over-week change',
        querystring: TrendsQuerySchema,
        response: { 200: TrendsReportSchema },
      },
    },
    async (request) => volumeTrends(ctxOf(desk, request), request.query),
  );
};
