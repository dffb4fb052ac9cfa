import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { IdSchema } from '../../../domain/schemas.js';
import { getAttachment, getRawEmail, listTicketAttachments, listTicketEmails } from '../../../channels/email/files.js';
import { getEmailSettings, updateEmailSettings } from '../../../channels/email/settings.js';
import {
  AttachmentInfoSchema,
  DeliveryDetailSchema,
  DeliveryListQuerySchema,
  DeliverySchema,
  EmailRecordSchema,
  EmailSettingsPatchSchema,
  EmailSettingsSchema,
  EndpointCreatedSchema,
  EndpointInputSchema,
  EndpointPatchSchema,
  EndpointSchema,
} from '../../../channels/schemas.js';
import * as hooks from '../../../channels/webhooks.js';
import { ADMIN, STAFF, ctxOf, txOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();

/** Content-Disposition for a download, safe for any file name (RFC 6266 / 5987). */
const disposition = (filename: string) =>
  `attachment; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

/** Outbound webhooks and Slack endpoints, the outbox's deliveries (dead letters, replay), email settings, attachments and raw emails. */
export const channelRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  const tx = <T>(request: Parameters<typeof ctxOf>[1], fn: (ctx: ReturnType<typeof ctxOf>) => Promise<T>) => txOf(desk, request, fn);

  app.post('/webhooks', {
    config: { access: ADMIN },
    schema: { tags: ['webhooks'], summary: 'Add a webhook or Slack endpoint; the answer shows its signing secret, this once', body: EndpointInputSchema, response: { 201: EndpointCreatedSchema } },
  }, async (request, reply) => reply.code(201).send(await hooks.createEndpoint(ctxOf(desk, request), request.body, desk.outbound)));
  app.get('/webhooks', { config: { access: ADMIN }, schema: { tags: ['webhooks'], summary: 'Webhook and Slack endpoints', response: { 200: z.object({ data: z.array(EndpointSchema) }) } } },
    async (request) => ({ data: await hooks.listEndpoints(ctxOf(desk, request)) }));
  app.get('/webhooks/:id', { config: { access: ADMIN }, schema: { tags: ['webhooks'], summary: 'One endpoint', params: Params, response: { 200: EndpointSchema } } },
    async (request) => hooks.getEndpoint(ctxOf(desk, request), request.params.id));
  app.patch('/webhooks/:id', {
    config: { access: ADMIN },
    schema: { tags: ['webhooks'], summary: 'Change an endpoint (url, event types, enabled); a disabled one gets no new deliveries', params: Params, body: EndpointPatchSchema, response: { 200: EndpointSchema } },
  }, async (request) => hooks.updateEndpoint(ctxOf(desk, request), request.params.id, request.body, desk.outbound));
  app.post('/webhooks/:id/rotate-secret', {
    config: { access: ADMIN },
    schema: { tags: ['webhooks'], summary: "Replace an endpoint's signing secret (shown once)", params: Params, response: { 200: EndpointCreatedSchema } },
  }, async (request) => hooks.rotateEndpointSecret(ctxOf(desk, request), request.params.id));
  app.delete('/webhooks/:id', { config: { access: ADMIN }, schema: { tags: ['webhooks'], summary: 'Delete an endpoint and its deliveries', params: Params } },
    async (request, reply) => {
      await hooks.deleteEndpoint(ctxOf(desk, request), request.params.id);
      return reply.code(204).send();
    });

  app.get('/deliveries', {
    config: { access: ADMIN },
    schema: { tags: ['webhooks'], summary: 'Outbox deliveries (webhook, Slack, email) newest first; status=dead is the dead-letter list', querystring: DeliveryListQuerySchema, response: { 200: z.object({ data: z.array(DeliverySchema) }) } },
  }, async (request) => ({ data: await hooks.listDeliveries(ctxOf(desk, request), request.query) }));
  app.get('/deliveries/:id', { config: { access: ADMIN }, schema: { tags: ['webhooks'], summary: 'One delivery with its payload and every attempt', params: Params, response: { 200: DeliveryDetailSchema } } },
    async (request) => hooks.getDelivery(ctxOf(desk, request), request.params.id));
  app.post('/deliveries/:id/replay', {
    config: { access: ADMIN },
    schema: { tags: ['webhooks'], summary: 'Send a dead (or delivered) delivery again, with a fresh retry budget', params: Params, response: { 200: DeliverySchema } },
  }, async (request) => tx(request, (ctx) => hooks.replayDelivery(ctx, request.params.id)));

  app.get('/settings/email', { config: { access: ADMIN }, schema: { tags: ['email'], summary: 'The inbound address and sender name of email tickets', response: { 200: EmailSettingsSchema } } },
    async (request) => getEmailSettings(ctxOf(desk, request)));
  app.patch('/settings/email', {
    config: { access: ADMIN },
    schema: { tags: ['email'], summary: 'Change the email settings (logged); an inbound address belongs to one workspace', body: EmailSettingsPatchSchema, response: { 200: EmailSettingsSchema } },
  }, async (request) => tx(request, (ctx) => updateEmailSettings(ctx, request.body)));

  app.get('/tickets/:id/attachments', { config: { access: STAFF }, schema: { tags: ['email'], summary: "A ticket's stored attachments", params: Params, response: { 200: z.object({ data: z.array(AttachmentInfoSchema) }) } } },
    async (request) => ({ data: await listTicketAttachments(ctxOf(desk, request), request.params.id) }));
  app.get('/attachments/:id', { config: { access: STAFF }, schema: { tags: ['email'], summary: 'Download an attachment', params: Params } },
    async (request, reply) => {
      const a = await getAttachment(ctxOf(desk, request), request.params.id);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', disposition(a.filename))
        .header('x-original-content-type', a.contentType.replace(/[^\x20-\x7e]/g, ''))
        .send(Buffer.from(a.content));
    });
  app.get('/tickets/:id/emails', { config: { access: STAFF }, schema: { tags: ['email'], summary: "A ticket's emails in and out with their threading headers", params: Params, response: { 200: z.object({ data: z.array(EmailRecordSchema) }) } } },
    async (request) => ({ data: await listTicketEmails(ctxOf(desk, request), request.params.id) }));
  app.get('/emails/:id/raw', { config: { access: STAFF }, schema: { tags: ['email'], summary: 'The original inbound mail as received (message/rfc822)', params: Params } },
    async (request, reply) => {
      const raw = await getRawEmail(ctxOf(desk, request), request.params.id);
      return reply.header('content-type', 'message/rfc822').header('content-disposition', 'attachment; filename="message.eml"').send(raw);
    });
};
