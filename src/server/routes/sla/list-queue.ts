import { z } from 'zod';
import { listQueue } from '../../../sla/queue.js';
import { QueueItemSchema, QueueQuerySchema } from '../../../sla/schemas.js';
import { STAFF, ctxOf, principalOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/queue` */
export const listQueueRoute: Route = (app, desk) => {
  app.get(
    '/queue',
    {
      config: { access: STAFF },
      schema: {
        tags: ['sla'],
        summary:
          'New, open and pending tickets by urgency (priority, earliest SLA due time, age) with their SLA; views ' +
          'mine | team | unassigned | all',
        querystring: QueueQuerySchema,
        response: { 200: z.object({ data: z.array(QueueItemSchema) }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return {
        data: await listQueue(ctxOf(desk, request), {
          ...request.query,
          agentId: principal.kind === 'agent' ? principal.agentId : null,
        }),
      };
    },
  );
};
