import { z } from 'zod';
import { AnomalySchema, detectAnomalies } from '../../../insights/anomalies.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/insights/anomalies/scan` */
export const scanAnomaliesRoute: Route = (app, desk) => {
  app.post(
    '/insights/anomalies/scan',
    {
      config: { access: ADMIN, audit: 'before' },
      schema: {
        tags: ['insights'],
        summary: 'Test every series for a spike now; returns the new alerts',
        response: { 200: z.object({ data: z.array(AnomalySchema) }) },
      },
    },
    async (request) => ({ data: await detectAnomalies(ctxOf(desk, request)) }),
  );
};
