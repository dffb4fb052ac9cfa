import { DeliverySchema } from '../../../channels/schemas.js';
import * as hooks from '../../../channels/webhooks.js';
import { ADMIN, ctxOf, txOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/deliveries/:id/replay` */
export const replayDeliveryRoute: Route = (app, desk) => {
  const tx = <T>(request: Parameters<typeof ctxOf>[1], fn: (ctx: ReturnType<typeof ctxOf>) => Promise<T>) => txOf(desk, request, fn);
  app.post('/deliveries/:id/replay', {
    config: { access: ADMIN },
    schema: { tags: ['webhooks'], summary: 'Send a dead (or delivered) delivery again, with a fresh retry budget', params: Params, response: { 200: DeliverySchema } },
  }, async (request) => tx(request, (ctx) => hooks.replayDelivery(ctx, request.params.id)));
};
