import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { STARTER_TAXONOMY, TaxonomyIntentSchema } from '../../../nlp/taxonomy.js';
import { STAFF } from '../../auth.js';

const TaxonomyEntrySchema = TaxonomyIntentSchema.pick({ id: true, label: true, description: true, team: true, automatable: true });

/** The intent taxonomy (the console's playbook and relabel screens list it). */
export const taxonomyRoutes = (_desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.get('/taxonomy', {
    config: { access: STAFF },
    schema: { tags: ['playbooks'], summary: 'The intents of the taxonomy: id, label, description, usual team, whether usually automatable', response: { 200: z.object({ data: z.array(TaxonomyEntrySchema) }) } },
  }, async () => ({ data: STARTER_TAXONOMY.map(({ id, label, description, team, automatable }) => ({ id, label, description, team, automatable })) }));
};
