import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { createTicketRoute } from './create-ticket.js';
import { listTicketsRoute } from './list-tickets.js';
import { getTicketRoute } from './get-ticket.js';
import { updateTicketRoute } from './update-ticket.js';
import { addMessageRoute } from './add-message.js';
import { recordFeedbackRoute } from './record-feedback.js';
import { approveDraftRoute } from './approve-draft.js';
import { getHandoffRoute } from './get-handoff.js';
import { recordHandoffVerdictRoute } from './record-handoff-verdict.js';
import { replayTicketRoute } from './replay-ticket.js';
import { getSigningSecretRoute } from './get-signing-secret.js';
import { rotateSigningSecretRoute } from './rotate-signing-secret.js';
import { getAutonomyRoute } from './get-autonomy.js';
import { updateAutonomyRoute } from './update-autonomy.js';

/** Tickets and their conversations. */
export const ticketRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    createTicketRoute(app, desk);
    listTicketsRoute(app, desk);
    getTicketRoute(app, desk);
    updateTicketRoute(app, desk);
    addMessageRoute(app, desk);
    recordFeedbackRoute(app, desk);
    approveDraftRoute(app, desk);
    getHandoffRoute(app, desk);
    recordHandoffVerdictRoute(app, desk);
    replayTicketRoute(app, desk);
    getSigningSecretRoute(app, desk);
    rotateSigningSecretRoute(app, desk);
    getAutonomyRoute(app, desk);
    updateAutonomyRoute(app, desk);
  };
