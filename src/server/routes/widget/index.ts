import { z } from 'zod';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import type { Deskmind } from '../../../app.js';
import { DeskmindError } from '../../../domain/errors.js';
import { IdSchema, Timestamp } from '../../../domain/schemas.js';
import { recordCustomerOutcome } from '../../../tickets/record-customer-outcome.js';
import {
  getWidgetTicket,
  listWidgetTickets,
  openWidgetSession,
  verifyWidgetToken,
  WIDGET_TOKEN_HEADER,
  WidgetMessageInputSchema,
  WidgetSessionInputSchema,
  WidgetSessionSchema,
  WidgetTicketSchema,
} from '../../../ingest/widget-session.js';
import { THROTTLES } from '../../../security/throttle.js';
import { throttledAttempt } from '../../security.js';
import { startSse } from '../../sse.js';
import { getWidgetSettingsRoute } from './get-widget-settings.js';
import { updateWidgetSettingsRoute } from './update-widget-settings.js';
import { rotateWidgetSecretRoute } from './rotate-widget-secret.js';

const Params = z.object({ id: IdSchema }).strict();
const TOKEN_HEADER = WIDGET_TOKEN_HEADER;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': `content-type, idempotency-key, ${TOKEN_HEADER}`,
  'access-control-max-age': '600',
  'cross-origin-resource-policy': 'cross-origin',
};
/** Events a customer is told about: public messages and status changes of their own ticket. */
const VISIBLE = new Set([
  'message.created',
  'ticket.status_changed',
  'ticket.handed_off',
  'ticket.resolved',
  'ticket.reopened',
  'ticket.closed',
]);

/**
 * The chat widget's public API (`/api/v1/widget/...`): a session opened with the workspace's public widget
 * id (and, with identity verification, the user's id and HMAC), then the visitor's own tickets only.
 * Answers carry CORS headers so the widget can call from the host app's origin; no cookies are used.
 */
export const widgetRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    getWidgetSettingsRoute(app, desk);
    updateWidgetSettingsRoute(app, desk);
    rotateWidgetSecretRoute(app, desk);
    await app.register(
      async (scope) => {
        const widget = scope.withTypeProvider<ZodTypeProvider>();
        widget.addHook('onSend', async (_request, reply, payload) => {
          for (const [k, v] of Object.entries(CORS)) reply.header(k, v);
          return payload;
        });
        widget.options('/*', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
          reply.code(204).send(),
        );

        const session = async (request: FastifyRequest, token?: string) => {
          const t = await verifyWidgetToken(desk, token ?? (request.headers[TOKEN_HEADER] as string | undefined));
          const actor = { type: 'customer' as const, id: t.customerId };
          return { ...t, actor, ctx: desk.ctx(t.workspaceId, actor) };
        };

        widget.post(
          '/session',
          {
            config: { access: 'public' },
            schema: {
              tags: ['widget'],
              summary:
                'Open a widget session: an anonymous visitor, or a user proven by userHash = HMAC-SHA256(widget ' +
                'secret, userId)',
              body: WidgetSessionInputSchema,
              response: { 200: WidgetSessionSchema },
            },
          },
          async (request, reply) => {
            const { userId, userHash } = request.body;
            // Hashes are guessed per user id and per address.
            return openWidgetSession(desk, request.body, (workspaceId, check) =>
              userHash
                ? throttledAttempt(
                    desk,
                    request,
                    reply,
                    {
                      keys: [
                        { rule: THROTTLES.widgetUser, subject: `${workspaceId}\n${userId ?? ''}` },
                        { rule: THROTTLES.widgetAddress, subject: request.ip },
                      ],
                      what: 'identity verifications',
                      failed: (err) => err instanceof DeskmindError && err.code === 'identity_unverified',
                      action: 'widget.identity_throttled',
                      workspaceIds: async () => [workspaceId],
                      data: { userId },
                    },
                    check,
                  )
                : check(),
            );
          },
        );

        widget.get(
          '/tickets',
          {
            config: { access: 'public' },
            schema: {
              tags: ['widget'],
              summary: "The visitor's recent tickets",
              response: {
                200: z.object({
                  data: z.array(
                    z.object({ id: z.uuid(), subject: z.string(), status: z.string(), updatedAt: Timestamp }),
                  ),
                }),
              },
            },
          },
          async (request) => {
            const s = await session(request);
            return { data: await listWidgetTickets(s.ctx, s.customerId) };
          },
        );

        widget.post(
          '/tickets',
          {
            config: { access: 'public' },
            schema: {
              tags: ['widget'],
              summary: 'Ask a question: opens a ticket with the page context',
              body: WidgetMessageInputSchema.extend({ subject: z.string().trim().min(1).max(500).optional() }).strict(),
              response: { 201: WidgetTicketSchema },
            },
          },
          async (request, reply) => {
            const s = await session(request);
            const { text, pageContext, subject } = request.body;
            const created = await desk.createTicket(s.workspaceId, s.actor, {
              subject: subject ?? (text.length > 80 ? `${text.slice(0, 77)}…` : text),
              message: { text, visibility: 'public', attachments: [], ...(pageContext ? { pageContext } : {}) },
              customer: { id: s.customerId },
              channel: 'widget',
              tags: [],
              ...(pageContext ? { pageContext } : {}),
            });
            return reply.code(201).send(await getWidgetTicket(s.ctx, s.customerId, created.ticket.id));
          },
        );

        widget.get(
          '/tickets/:id',
          {
            config: { access: 'public' },
            schema: {
              tags: ['widget'],
              summary: "One of the visitor's tickets: public messages and walkthroughs",
              params: Params,
              response: { 200: WidgetTicketSchema },
            },
          },
          async (request) => {
            const s = await session(request);
            return getWidgetTicket(s.ctx, s.customerId, request.params.id);
          },
        );

        widget.post(
          '/tickets/:id/messages',
          {
            config: { access: 'public' },
            schema: {
              tags: ['widget'],
              summary: 'The visitor replies',
              params: Params,
              body: WidgetMessageInputSchema,
              response: { 201: WidgetTicketSchema },
            },
          },
          async (request, reply) => {
            const s = await session(request);
            await getWidgetTicket(s.ctx, s.customerId, request.params.id);
            const { text, pageContext } = request.body;
            await desk.addMessage(
              s.workspaceId,
              s.actor,
              request.params.id,
              { text, visibility: 'public', attachments: [], ...(pageContext ? { pageContext } : {}) },
              { type: 'customer', id: s.customerId },
            );
            return reply.code(201).send(await getWidgetTicket(s.ctx, s.customerId, request.params.id));
          },
        );

        widget.post(
          '/tickets/:id/feedback',
          {
            config: { access: 'public' },
            schema: {
              tags: ['widget'],
              summary: '"Solved" or "Talk to a human"',
              params: Params,
              body: z.object({ outcome: z.enum(['solved', 'need_human']) }).strict(),
              response: { 200: WidgetTicketSchema },
            },
          },
          async (request) => {
            const s = await session(request);
            await getWidgetTicket(s.ctx, s.customerId, request.params.id);
            await recordCustomerOutcome(s.ctx, request.params.id, request.body.outcome);
            return getWidgetTicket(s.ctx, s.customerId, request.params.id);
          },
        );

        widget.get(
          '/tickets/:id/stream',
          {
            config: { access: 'public' },
            schema: {
              tags: ['widget'],
              summary:
                "Server-Sent Events for one of the visitor's tickets (token in the query: EventSource sends no " +
                'headers): new public messages and status changes',
              params: Params,
              querystring: z.object({ token: z.string().max(2000) }).strict(),
            },
          },
          async (request, reply) => {
            const s = await session(request, request.query.token);
            const ticketId = request.params.id;
            await getWidgetTicket(s.ctx, s.customerId, ticketId);
            const stream = startSse(request, reply, CORS);
            const stop = await desk.live.subscribe(s.workspaceId, (e) => {
              if (
                e.ticketId !== ticketId ||
                !VISIBLE.has(e.type) ||
                (e.type === 'message.created' && e.visibility !== 'public')
              )
                return;
              stream.send({ ticketId, type: e.type, at: e.at });
            });
            stream.onClose(stop);
          },
        );
      },
      { prefix: '/widget' },
    );
  };
