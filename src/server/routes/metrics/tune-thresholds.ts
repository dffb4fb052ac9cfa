import { z } from 'zod';
import { ProposalSchema } from '../../../learning/thresholds.js';
import { runThresholdTuning } from '../../../metrics/run-threshold-tuning.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/learning/thresholds/tune` */
export const tuneThresholdsRoute: Route = (app, desk) => {
  app.post(
    '/learning/thresholds/tune',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['learning'],
        summary: 'Tune per-intent thresholds now (changes are logged with before/after and evidence)',
        response: { 200: z.object({ changes: z.array(ProposalSchema), proposals: z.array(ProposalSchema) }) },
      },
    },
    async (request) => runThresholdTuning(ctxOf(desk, request)),
  );
};
