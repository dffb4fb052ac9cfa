import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { listTaxonomyRoute } from './list-taxonomy.js';

/** The intent taxonomy (the console's playbook and relabel screens list it). */
export const taxonomyRoutes =
  (_desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    listTaxonomyRoute(app, _desk);
  };
