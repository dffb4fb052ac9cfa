import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../app.js';

/** The Fastify instance a route is added to (zod type provider). */
export type RouteApp = Parameters<FastifyPluginAsyncZod>[0];

/**
 * One route in one file (`routes/<area>/<verb-noun>.ts`): it adds its handler to `app`, and its area's
 * `index.ts` registers it. The handler parses, calls one operation and shapes the reply.
 * @example export const listPlaybooks: Route = (app, desk) => { app.get('/playbooks', { … }, async (request) => …); };
 */
export type Route = (app: RouteApp, desk: Deskmind) => void;
