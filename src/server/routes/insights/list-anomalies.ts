import { z } from 'zod';
import { AnomaliesQuerySchema, AnomalySchema, listAnomalies } from '../../../insights/anomalies.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/insights/anomalies` */
export const listAnomaliesRoute: Route = (app, desk) => {
  app.get(
    '/insights/anomalies',
    {
      config: { access: STAFF },
      schema: {
        tags: ['insights'],
        summary:
          'Spike alerts (intent, topic, feature, error message) against each series’ seasonal baseline, newest first',
        querystring: AnomaliesQuerySchema,
        response: { 200: z.object({ data: z.array(AnomalySchema) }) },
      },
    },
    async (request) => ({ data: await listAnomalies(ctxOf(desk, request), request.query) }),
  );
};
