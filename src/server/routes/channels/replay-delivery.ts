import { DeliverySchema } from '../../../channels/schemas.js';
import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import { inTransaction } from '../../../store/ctx.js';
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
    async (request) => inTransaction(ctxOf(desk, request), (ctx) => hooks.replayDelivery(ctx, request.params.id)),
  );
};
