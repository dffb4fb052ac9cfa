import { z } from 'zod';
import { HandoffVerdictInputSchema, HandoffVerdictSchema } from '../../../handoff/verdict.js';
import { recordHandoffVerdict } from '../../../tickets/record-handoff-verdict.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/tickets/:id/handoff-verdict` */
export const recordHandoffVerdictRoute: Route = (app, desk) => {
  app.post(
    '/tickets/:id/handoff-verdict',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: 'Say whether the handoff packet had what you needed, or which fields were missing',
        description:
          'Only on a ticket that was handed off (`not_handed_off` otherwise). One verdict per person and ticket: ' +
          'a second replaces the first (`replaced: true`). Recorded on the timeline as `outcome.recorded`.',
        params: Params,
        body: HandoffVerdictInputSchema,
        response: { 200: HandoffVerdictSchema.extend({ replaced: z.boolean() }) },
      },
    },
    async (request) => recordHandoffVerdict(ctxOf(desk, request), request.params.id, request.body),
  );
};
