import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { STAFF, principalOf } from '../../auth.js';
import { startSse } from '../../sse.js';

/** Live updates for the console: the workspace's timeline events as Server-Sent Events. */
export const liveRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.get('/stream', {
    config: { access: STAFF },
    schema: {
      tags: ['live'],
      summary: 'Server-Sent Events: one `data:` JSON line per timeline event of the workspace ({workspaceId, ticketId, type, actorType, at}), from every process',
    },
  }, async (request, reply) => {
    const { workspaceId } = principalOf(request);
    const stream = startSse(request, reply);
    const stop = await desk.live.subscribe(workspaceId, (event) => stream.send(event));
    stream.onClose(stop);
  });
};
