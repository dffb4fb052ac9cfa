import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';

/** The Fastify instance a route file adds its route to (zod type provider). */
export type RouteApp = Parameters<FastifyPluginAsyncZod>[0];
/** A route file: adds its route(s) to the integrations plugin. */
export type IntegrationRoute = (app: RouteApp, desk: Deskmind) => void | Promise<void>;
