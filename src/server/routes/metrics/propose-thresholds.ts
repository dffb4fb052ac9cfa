import { z } from 'zod';
import { LearningSettingsSchema, ProposalSchema, proposeThresholds } from '../../../learning/thresholds.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

const ThresholdsSchema = z.object({
  settings: LearningSettingsSchema,
  defaultThreshold: z.number(),
  current: z.record(z.string(), z.number()),
  proposals: z.array(ProposalSchema),
});

/** `GET /api/v1/learning/thresholds` */
export const proposeThresholdsRoute: Route = (app, desk) => {
  app.get(
    '/learning/thresholds',
    {
      config: { access: STAFF },
      schema: {
        tags: ['learning'],
        summary: 'Autonomy thresholds in force and what tuning would change, with the evidence',
        response: { 200: ThresholdsSchema },
      },
    },
    async (request) => proposeThresholds(ctxOf(desk, request)),
  );
};
