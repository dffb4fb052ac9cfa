import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import * as playbookOps from '../../../resolution/playbooks.js';
import { IntentSchema, PlaybookInputSchema, PlaybookSchema } from '../../../resolution/schemas.js';
import { ADMIN, STAFF, ctxOf } from '../../auth.js';

const Params = z.object({ intent: IntentSchema }).strict();

/** Playbooks: what the assistant does for each intent (admins write, staff read). */
export const playbookRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.get('/playbooks', { config: { access: STAFF }, schema: { tags: ['playbooks'], summary: 'List playbooks', response: { 200: z.object({ data: z.array(PlaybookSchema) }) } } },
    async (request) => ({ data: await playbookOps.listPlaybooks(ctxOf(desk, request)) }));
  app.get('/playbooks/:intent', { config: { access: STAFF }, schema: { tags: ['playbooks'], summary: 'The playbook of an intent', params: Params, response: { 200: PlaybookSchema } } },
    async (request) => playbookOps.getPlaybook(ctxOf(desk, request), request.params.intent));
  app.put('/playbooks/:intent', {
    config: { access: ADMIN },
    schema: {
      tags: ['playbooks'],
      summary: 'Create or replace the playbook of an intent (templates and the action input schema are checked)',
      params: Params,
      body: PlaybookInputSchema,
      response: { 200: PlaybookSchema, 201: PlaybookSchema },
    },
  }, async (request, reply) => {
    const { playbook, created } = await playbookOps.upsertPlaybook(ctxOf(desk, request), request.params.intent, request.body, desk.outbound);
    return reply.code(created ? 201 : 200).send(playbook);
  });
  app.delete('/playbooks/:intent', { config: { access: ADMIN }, schema: { tags: ['playbooks'], summary: 'Delete the playbook of an intent', params: Params } },
    async (request, reply) => {
      await playbookOps.deletePlaybook(ctxOf(desk, request), request.params.intent);
      return reply.code(204).send();
    });
};
