import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { listRulesRoute } from './list-rules.js';
import { createRuleRoute } from './create-rule.js';
import { getRuleRoute } from './get-rule.js';
import { updateRuleRoute } from './update-rule.js';
import { deleteRuleRoute } from './delete-rule.js';
import { getRoutingSettingsRoute } from './get-routing-settings.js';
import { updateRoutingSettingsRoute } from './update-routing-settings.js';
import { explainRoutingRoute } from './explain-routing.js';
import { setPresenceRoute } from './set-presence.js';

/** Routing rules and settings, the routing explanation of a ticket, and agent presence. */
export const routingRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    listRulesRoute(app, desk);
    createRuleRoute(app, desk);
    getRuleRoute(app, desk);
    updateRuleRoute(app, desk);
    deleteRuleRoute(app, desk);
    getRoutingSettingsRoute(app, desk);
    updateRoutingSettingsRoute(app, desk);
    explainRoutingRoute(app, desk);
    setPresenceRoute(app, desk);
  };
