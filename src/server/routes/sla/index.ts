import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { getSlaPoliciesRoute } from './get-sla-policies.js';
import { updateSlaPoliciesRoute } from './update-sla-policies.js';
import { getSlaComplianceRoute } from './get-sla-compliance.js';
import { getTicketSlaRoute } from './get-ticket-sla.js';
import { listQueueRoute } from './list-queue.js';

/** SLA policies and calendar, a ticket's SLA, compliance, and the priority queue. */
export const slaRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    getSlaPoliciesRoute(app, desk);
    updateSlaPoliciesRoute(app, desk);
    getSlaComplianceRoute(app, desk);
    getTicketSlaRoute(app, desk);
    listQueueRoute(app, desk);
  };
