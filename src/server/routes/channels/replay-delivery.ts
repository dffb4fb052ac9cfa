import { DeliverySchema } from '../../../channels/schemas.js';
import { replayWebhookDelivery } from '../../../channels/replay-webhook-delivery.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/deliveries/:id/replay` */
export const replayDeliveryRoute: Route = (app, desk) => {
  app.post(
    '/deliveries/:id/replay',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a dead (or delivered) delivery again, with a fresh retry budget',
        params: Params,
        response: { 200: DeliverySchema },
      },
    },
    async (request) => replayWebhookDelivery(ctxOf(desk, request), request.params.id),
  );
};
