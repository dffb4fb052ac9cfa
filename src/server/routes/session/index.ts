import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { logInRoute } from './log-in.js';
import { logOutRoute } from './log-out.js';
import { getMeRoute } from './get-me.js';

/** Agent login for the console: an http-only session cookie. */
export const sessionRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    logInRoute(app, desk);
    logOutRoute(app, desk);
    getMeRoute(app, desk);
  };
