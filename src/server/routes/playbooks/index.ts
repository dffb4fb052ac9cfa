import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { listPlaybooksRoute } from './list-playbooks.js';
import { getPlaybookRoute } from './get-playbook.js';
import { upsertPlaybookRoute } from './upsert-playbook.js';
import { deletePlaybookRoute } from './delete-playbook.js';

/** Playbooks: what the assistant does for each intent (admins write, staff read). */
export const playbookRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    listPlaybooksRoute(app, desk);
    getPlaybookRoute(app, desk);
    upsertPlaybookRoute(app, desk);
    deletePlaybookRoute(app, desk);
  };
