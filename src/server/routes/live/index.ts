import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { streamEventsRoute } from './stream-events.js';

/** Live updates for the console: the workspace's timeline events as Server-Sent Events. */
export const liveRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    streamEventsRoute(app, desk);
  };
