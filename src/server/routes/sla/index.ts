import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { IdSchema } from '../../../domain/schemas.js';
import { slaCompliance } from '../../../sla/compliance.js';
import { listQueue } from '../../../sla/queue.js';
import { ComplianceQuerySchema, ComplianceSchema, QueueItemSchema, QueueQuerySchema, SlaStateSchema } from '../../../sla/schemas.js';
import { SlaSettingsPatchSchema, SlaSettingsSchema } from '../../../sla/settings.js';
import { getTicketSla } from '../../../sla/state.js';
import { getSlaSettings, updateSlaSettings } from '../../../sla/workspace-settings.js';
import { ADMIN, STAFF, ctxOf, principalOf, txOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();

/** SLA policies and calendar, a ticket's SLA, compliance, and the priority queue. */
export const slaRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.get('/sla/policies', { config: { access: STAFF }, schema: { tags: ['sla'], summary: 'SLA policies, business calendar and at-risk window', response: { 200: SlaSettingsSchema } } },
    async (request) => getSlaSettings(ctxOf(desk, request)));
  app.patch('/sla/policies', {
    config: { access: ADMIN },
    schema: { tags: ['sla'], summary: 'Change SLA settings: policies replace the list, calendar and atRisk change the fields sent (logged)', body: SlaSettingsPatchSchema, response: { 200: SlaSettingsSchema } },
  }, async (request) => {
    return txOf(desk, request, (tx) => updateSlaSettings(tx, request.body));
  });

  app.get('/sla/compliance', { config: { access: STAFF }, schema: { tags: ['sla'], summary: 'SLA compliance per tier and priority of tickets created in [from, to) (default: the last 30 days)', querystring: ComplianceQuerySchema, response: { 200: ComplianceSchema } } },
    async (request) => slaCompliance(ctxOf(desk, request), request.query));

  app.get('/tickets/:id/sla', { config: { access: STAFF }, schema: { tags: ['sla'], summary: "A ticket's SLA: due times, met, breached, minutes left", params: Params, response: { 200: SlaStateSchema } } },
    async (request) => getTicketSla(ctxOf(desk, request), request.params.id));

  app.get('/queue', {
    config: { access: STAFF },
    schema: { tags: ['sla'], summary: 'New, open and pending tickets by urgency (priority, earliest SLA due time, age) with their SLA; views mine | team | unassigned | all', querystring: QueueQuerySchema, response: { 200: z.object({ data: z.array(QueueItemSchema) }) } },
  }, async (request) => {
    const principal = principalOf(request);
    return { data: await listQueue(ctxOf(desk, request), { ...request.query, agentId: principal.kind === 'agent' ? principal.agentId : null }) };
  });
};
