import { z } from 'zod';
import { DeliveryListQuerySchema, DeliverySchema } from '../../../channels/schemas.js';
import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/deliveries` */
export const listDeliveriesRoute: Route = (app, desk) => {
  app.get(
    '/deliveries',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['webhooks'],
        summary: 'Outbox deliveries (webhook, Slack, email) newest first; status=dead is the dead-letter list',
        querystring: DeliveryListQuerySchema,
        response: { 200: z.object({ data: z.array(DeliverySchema) }) },
      },
    },
    async (request) => ({ data: await hooks.listDeliveries(ctxOf(desk, request), request.query) }),
  );
};
