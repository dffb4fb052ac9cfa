/**
 * Signed outbound webhooks: the webhook and Slack endpoints, the outbox's deliveries as the admin API shows
 * them, the signed delivery of events (and the JSON POST Slack's channel shares), and the bug-report webhook tracker.
 */
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { DeskmindError, notFound } from '../domain/errors.js';
import { signPayload } from '../resolution/actions.js';
import { outboundRefusal, type OutboundGuard } from '../security/outbound-url.js';
import type { Ctx } from '../store/ctx.js';
import { outbox, outboxAttempts, webhookEndpoints } from '../store/schema.js';
import type { Delivery, DeliveryListQuery, Endpoint, EndpointInput, EndpointPatch } from '../channels/schemas.js';
import type { AppendedEvent } from '../events/listeners.js';
import { defineConnector, defineOutbound, defineTracker, type FanOutEndpoint, type SendResult } from './connector.js';
import { trackerFailure, trackerUrl, type BugTracker, type TrackerReport } from './trackers.js';

/**
 * Header names of a signed webhook delivery. Deliveries are signed like playbook actions, with `signPayload` of
 * resolution/actions.ts: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; its `verifySignature(secret,
 * timestamp, body, header)` is what a receiver runs.
 */
const HEADERS = {
  event: 'x-deskmind-event',
  delivery: 'x-deskmind-delivery',
  sequence: 'x-deskmind-sequence',
  timestamp: 'x-deskmind-timestamp',
  signature: 'x-deskmind-signature',
} as const;

type EndpointRow = typeof webhookEndpoints.$inferSelect;
const toEndpoint = ({ workspaceId: _w, secret: _s, leaseUntil: _l, ...rest }: EndpointRow): Endpoint => rest;
const newSecret = () => `whsec_${randomBytes(24).toString('hex')}`;
const scope = (ctx: Ctx, id: string) =>
  and(eq(webhookEndpoints.workspaceId, ctx.workspaceId), eq(webhookEndpoints.id, id));

/** The save-time check of an outbound URL (`OutboundGuard`): throws `outbound_url_refused`. */
export type UrlGuard = Pick<OutboundGuard, 'assertAllowed'>;

/** Adds an endpoint (its URL must pass the outbound URL guard); the answer carries its signing secret, shown this once.
 */
export async function createEndpoint(
  ctx: Ctx,
  input: EndpointInput,
  guard: UrlGuard,
): Promise<Endpoint & { secret: string }> {
  guard.assertAllowed(input.url);
  const [row] = await ctx.db
    .insert(webhookEndpoints)
    .values({
      workspaceId: ctx.workspaceId,
      kind: input.kind,
      name: input.name ?? null,
      url: input.url,
      eventTypes: [...new Set(input.eventTypes ?? [])],
      enabled: input.enabled,
      secret: newSecret(),
      createdAt: ctx.now(),
      updatedAt: ctx.now(),
    })
    .returning();
  return { ...toEndpoint(row!), secret: row!.secret };
}

export async function listEndpoints(ctx: Ctx): Promise<Endpoint[]> {
  const rows = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.workspaceId, ctx.workspaceId))
    .orderBy(asc(webhookEndpoints.createdAt));
  return rows.map(toEndpoint);
}

export async function getEndpoint(ctx: Ctx, id: string): Promise<Endpoint> {
  const [row] = await ctx.db.select().from(webhookEndpoints).where(scope(ctx, id));
  if (!row) throw notFound('Webhook endpoint', id);
  return toEndpoint(row);
}

/** Changes an endpoint. A disabled endpoint gets no new deliveries; those already waiting go out when it is enabled
 * again. */
export async function updateEndpoint(ctx: Ctx, id: string, patch: EndpointPatch, guard: UrlGuard): Promise<Endpoint> {
  if (patch.url) guard.assertAllowed(patch.url);
  const [row] = await ctx.db
    .update(webhookEndpoints)
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.url ? { url: patch.url } : {}),
      ...(patch.eventTypes ? { eventTypes: [...new Set(patch.eventTypes)] } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      updatedAt: ctx.now(),
    })
    .where(scope(ctx, id))
    .returning();
  if (!row) throw notFound('Webhook endpoint', id);
  return toEndpoint(row);
}

/** Replaces an endpoint's signing secret; the new one is returned once. */
export async function rotateEndpointSecret(ctx: Ctx, id: string): Promise<Endpoint & { secret: string }> {
  const [row] = await ctx.db
    .update(webhookEndpoints)
    .set({ secret: newSecret(), updatedAt: ctx.now() })
    .where(scope(ctx, id))
    .returning();
  if (!row) throw notFound('Webhook endpoint', id);
  return { ...toEndpoint(row), secret: row.secret };
}

/** Deletes an endpoint with its deliveries. */
export async function deleteEndpoint(ctx: Ctx, id: string): Promise<void> {
  const rows = await ctx.db.delete(webhookEndpoints).where(scope(ctx, id)).returning({ id: webhookEndpoints.id });
  if (!rows.length) throw notFound('Webhook endpoint', id);
}

type OutboxRow = typeof outbox.$inferSelect;
const toDelivery = (r: OutboxRow): Delivery => ({
  id: r.id,
  channel: r.channel,
  endpointId: r.endpointId,
  eventId: r.eventId,
  eventType: r.eventType,
  ticketId: r.ticketId,
  seq: r.seq,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.nextAttemptAt,
  lastError: r.lastError,
  createdAt: r.createdAt,
  deliveredAt: r.deliveredAt,
});

/** Deliveries newest first; `status: dead` is the dead-letter list. */
export async function listDeliveries(ctx: Ctx, q: DeliveryListQuery): Promise<Delivery[]> {
  const rows = await ctx.db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.workspaceId, ctx.workspaceId),
        q.status ? eq(outbox.status, q.status) : undefined,
        q.channel ? eq(outbox.channel, q.channel) : undefined,
        q.endpointId ? eq(outbox.endpointId, q.endpointId) : undefined,
      ),
    )
    .orderBy(desc(outbox.pos))
    .limit(q.limit);
  return rows.map(toDelivery);
}

/** One delivery with its payload and every attempt. */
export async function getDelivery(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.workspaceId, ctx.workspaceId), eq(outbox.id, id)));
  if (!row) throw notFound('Delivery', id);
  const attemptLog = await ctx.db
    .select({
      attempt: outboxAttempts.attempt,
      ok: outboxAttempts.ok,
      statusCode: outboxAttempts.statusCode,
      error: outboxAttempts.error,
      durationMs: outboxAttempts.durationMs,
      at: outboxAttempts.at,
    })
    .from(outboxAttempts)
    .where(and(eq(outboxAttempts.workspaceId, ctx.workspaceId), eq(outboxAttempts.deliveryId, id)))
    .orderBy(asc(outboxAttempts.at), asc(outboxAttempts.attempt));
  return { ...toDelivery(row), payload: row.payload, attemptLog };
}

/**
 * Sends a dead (or delivered) delivery again: it goes back to the queue with a fresh retry budget and a
 * new place at the end of its endpoint's order. A delivery still waiting cannot be replayed (`conflict`).
 */
export async function replayDelivery(ctx: Ctx, id: string): Promise<Delivery> {
  const [row] = await ctx.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.workspaceId, ctx.workspaceId), eq(outbox.id, id)))
    .for('update');
  if (!row) throw notFound('Delivery', id);
  if (row.status === 'pending') throw new DeskmindError('conflict', 'This delivery is still waiting to be delivered');
  const [next] = await ctx.db
    .update(outbox)
    .set({
      status: 'pending',
      attempts: 0,
      seq: null,
      pos: sqlNextPos(),
      nextAttemptAt: ctx.now(),
      leaseUntil: null,
      deliveredAt: null,
    })
    .where(eq(outbox.id, id))
    .returning();
  return toDelivery(next!);
}

/** A new writing position, so the sequencer numbers a replayed delivery after everything already numbered. */
const sqlNextPos = () => sql`nextval(pg_get_serial_sequence('outbox', 'pos'))`;

// ── bug reports ─────────────────────────────────────────────────────────────

/**
 * A generic webhook: `POST` of `{ event, report }` signed like playbook actions
 * (`X-Deskmind-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, `X-Deskmind-Timestamp`).
 */
export function webhookTracker(
  opts: { url: string; secret: string; now: () => Date },
  fetchImpl: typeof fetch = fetch,
): BugTracker<'webhook'> {
  const post = async (event: string, report: TrackerReport, comment: string | null) => {
    const body = JSON.stringify({
      event,
      id: report.reportId,
      title: report.title,
      markdown: report.body,
      comment,
      report: report.report,
    });
    const timestamp = String(Math.floor(opts.now().getTime() / 1000));

    let res: Response;
    try {
      res = await fetchImpl(opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-deskmind-timestamp': timestamp,
          'x-deskmind-signature': signPayload(opts.secret, timestamp, body),
          'idempotency-key':
            `${report.reportId}:${event}:` + `${(report.report.linkedTickets as unknown[] | undefined)?.length ?? 0}`,
        },
        body,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      return trackerFailure('The webhook', err);
    }
    if (!res.ok) trackerFailure('The webhook', new Error(`HTTP ${res.status}`));
  };
  return {
    kind: 'webhook',
    async create(report) {
      await post('bug_report.created', report, null);
      return { id: report.reportId, key: null, url: null };
    },
    async update(_issue, report, comment) {
      await post('bug_report.updated', report, comment);
    },
  };
}

/**
 * What a webhook delivery sends: the JSON object its outbox row holds (`webhookBody`, or whatever a replayed or
 * hand-written row holds), as it is, keys in their stored order.
 */
export const WebhookPayloadSchema = z.record(z.string(), z.unknown());

/** The JSON body of a webhook delivery. */
export function webhookBody(workspaceId: string, ev: AppendedEvent): Record<string, unknown> {
  return {
    eventId: ev.id,
    type: ev.type,
    createdAt: ev.createdAt.toISOString(),
    workspaceId,
    ticketId: ev.ticketId,
    actor: { type: ev.actorType, id: ev.actorId },
    data: ev.data,
  };
}

/** One outbox attempt of a JSON POST to an endpoint (no redirects followed): a 2xx answer delivers it. */
export async function postJson(
  fetchImpl: typeof fetch,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendResult> {
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Deskmind-Webhooks/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, error: null };
    return { ok: false, statusCode: res.status, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}` };
  } catch (err) {
    const refusal = outboundRefusal(err);
    if (refusal)
      return {
        ok: false,
        statusCode: null,
        error: `refused by the outbound URL guard: ${refusal.reason}`.slice(0, 500),
        permanent: true,
      };
    const e = err as Error & { cause?: { code?: string } };
    return {
      ok: false,
      statusCode: null,
      error: (e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`
      ).slice(0, 500),
    };
  }
}

/** What a delivery meant for an endpoint gets when it has none (the outbox always passes it one). */
export const NO_ENDPOINT: SendResult = {
  ok: false,
  statusCode: null,
  error: 'the delivery has no endpoint',
  permanent: true,
};

/** Whether an endpoint is sent this event: the types it lists, or `defaults` when it lists none. */
export const endpointWants = (ep: FanOutEndpoint, type: string, defaults: readonly string[] = []): boolean => {
  const types = ep.eventTypes.length ? ep.eventTypes : defaults;
  return !types.length || types.includes(type);
};

/**
 * Signed webhooks: each event a webhook endpoint takes, POSTed in order with its sequence number and signature;
 * and bug reports to `insights.bugReports.webhook.url`, signed with the workspace's signing secret.
 */
export const webhooksConnector = defineConnector({
  id: 'webhooks',
  title: 'Signed webhooks (events, bug reports)',
  outbound: defineOutbound({
    channel: 'webhook',
    payload: WebhookPayloadSchema,
    deliveries: async (ctx, ev, endpoints) =>
      endpoints
        .filter((ep) => ep.kind === 'webhook' && endpointWants(ep, ev.type))
        .map((ep) => ({ endpointId: ep.id, payload: webhookBody(ctx.workspaceId, ev) })),
    send: async ({ id, eventType, seq, endpoint, payload }, deps) => {
      if (!endpoint) return NO_ENDPOINT;
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(deps.now().getTime() / 1000);
      const headers = {
        [HEADERS.event]: eventType,
        [HEADERS.delivery]: id,
        [HEADERS.sequence]: String(seq),
        [HEADERS.timestamp]: String(timestamp),
        [HEADERS.signature]: signPayload(endpoint.secret, String(timestamp), body),
      };
      return postJson(deps.fetch, endpoint.url, body, headers, deps.timeoutMs);
    },
  }),
  tracker: defineTracker({
    kind: 'webhook',
    settings: z.object({ url: trackerUrl }),
    secrets: [],
    urls: ['url'],
    create: ({ url }, { signingSecret, now, outbound }) =>
      url ? webhookTracker({ url, secret: signingSecret, now }, outbound.fetch) : null,
  }),
});
