import { DeliveryDetailSchema } from '../../../channels/schemas.js';
import * as hooks from '../../../connectors/webhooks.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/deliveries/:id` */
export const getDeliveryRoute: Route = (app, desk) => {
  app.get(
    '/deliveries/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['webhooks'],
        summary: 'One delivery with its payload and every attempt',
        params: Params,
        response: { 200: DeliveryDetailSchema },
      },
    },
    async (request) => hooks.getDelivery(ctxOf(desk, request), request.params.id),
  );
};
