import { z } from 'zod';
import { replayDecision } from '../../../jobs/pipeline.js';
import { getTicket } from '../../../tickets/get-ticket.js';
import { STAFF, ctxOf, principalOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/tickets/:id/replay` */
export const replayTicketRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/replay',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: 'Decide the ticket again with the current models and settings, changing nothing',
        description:
          'Runs enrich, understand, retrieve and decide without replying, calling actions or writing; compare ' +
          'with the stored decision record.',
        params: Params,
        response: {
          200: z.object({
            runId: z.string(),
            failedStage: z.string().nullable(),
            records: z.array(
              z.object({
                stage: z.string(),
                ok: z.boolean(),
                result: z.record(z.string(), z.unknown()),
                modelVersion: z.string().nullish(),
                durationMs: z.number().optional(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await getTicket(ctxOf(desk, request), request.params.id);
      const run = await replayDecision(desk, principal.workspaceId, request.params.id);
      return { runId: run.runId, failedStage: run.failedStage, records: run.records };
    },
  );
};
