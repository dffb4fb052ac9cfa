import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { claimTicketRoute } from './claim-ticket.js';
import { mergeTicketRoute } from './merge-ticket.js';
import { markAiAnswerRoute } from './mark-ai-answer.js';
import { listMacrosRoute } from './list-macros.js';
import { createMacroRoute } from './create-macro.js';
import { deleteMacroRoute } from './delete-macro.js';
import { applyMacroRoute } from './apply-macro.js';

/** The agent's workflow beyond replies: claim, macros, merge duplicates, verdicts on AI answers. */
export const workflowRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    claimTicketRoute(app, desk);
    mergeTicketRoute(app, desk);
    markAiAnswerRoute(app, desk);
    listMacrosRoute(app, desk);
    createMacroRoute(app, desk);
    deleteMacroRoute(app, desk);
    applyMacroRoute(app, desk);
  };
