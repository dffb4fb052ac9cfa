import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { createWebhookRoute } from './create-webhook.js';
import { listWebhooksRoute } from './list-webhooks.js';
import { getWebhookRoute } from './get-webhook.js';
import { updateWebhookRoute } from './update-webhook.js';
import { rotateWebhookSecretRoute } from './rotate-webhook-secret.js';
import { deleteWebhookRoute } from './delete-webhook.js';
import { listDeliveriesRoute } from './list-deliveries.js';
import { getDeliveryRoute } from './get-delivery.js';
import { replayDeliveryRoute } from './replay-delivery.js';
import { getEmailSettingsRoute } from './get-email-settings.js';
import { updateEmailSettingsRoute } from './update-email-settings.js';
import { listTicketAttachmentsRoute } from './list-ticket-attachments.js';
import { getAttachmentRoute } from './get-attachment.js';
import { listTicketEmailsRoute } from './list-ticket-emails.js';
import { getRawEmailRoute } from './get-raw-email.js';

/** Outbound webhooks and Slack endpoints, the outbox's deliveries (dead letters, replay), email settings, attachments
 * and raw emails. */
export const channelRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    createWebhookRoute(app, desk);
    listWebhooksRoute(app, desk);
    getWebhookRoute(app, desk);
    updateWebhookRoute(app, desk);
    rotateWebhookSecretRoute(app, desk);
    deleteWebhookRoute(app, desk);
    listDeliveriesRoute(app, desk);
    getDeliveryRoute(app, desk);
    replayDeliveryRoute(app, desk);
    getEmailSettingsRoute(app, desk);
    updateEmailSettingsRoute(app, desk);
    listTicketAttachmentsRoute(app, desk);
    getAttachmentRoute(app, desk);
    listTicketEmailsRoute(app, desk);
    getRawEmailRoute(app, desk);
  };
