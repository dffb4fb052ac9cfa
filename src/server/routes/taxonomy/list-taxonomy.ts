import { z } from 'zod';
import { STARTER_TAXONOMY, TaxonomyIntentSchema } from '../../../nlp/taxonomy.js';
import { STAFF } from '../../auth.js';
import type { Route } from '../route.js';

const TaxonomyEntrySchema = TaxonomyIntentSchema.pick({
  id: true,
  label: true,
  description: true,
  team: true,
  automatable: true,
});

/** `GET /api/v1/taxonomy` */
export const listTaxonomyRoute: Route = (app, _desk) => {
  app.get(
    '/taxonomy',
    {
      config: { access: STAFF },
      schema: {
        tags: ['playbooks'],
        summary: 'The intents of the taxonomy: id, label, description, usual team, whether usually automatable',
        response: { 200: z.object({ data: z.array(TaxonomyEntrySchema) }) },
      },
    },
    async () => ({
      data: STARTER_TAXONOMY.map(({ id, label, description, team, automatable }) => ({
        id,
        label,
        description,
        team,
        automatable,
      })),
    }),
  );
};
