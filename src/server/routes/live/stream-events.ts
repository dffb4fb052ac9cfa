import { STAFF, principalOf } from '../../auth.js';
import { startSse } from '../../sse.js';
import type { Route } from '../route.js';

/** `GET /api/v1/stream` */
export const streamEventsRoute: Route = (app, desk) => {
  app.get(
    '/stream',
    {
      config: { access: STAFF },
      schema: {
        tags: ['live'],
        summary:
          'Server-Sent Events: one `data:` JSON line per timeline event of the workspace ({workspaceId, ticketId, ' +
          'type, actorType, at}), from every process',
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const stream = startSse(request, reply);
      const stop = await desk.live.subscribe(workspaceId, (event) => stream.send(event));
      stream.onClose(stop);
    },
  );
};
