import { z } from 'zod';
import { DELIVERY_STATUSES, EVENT_TYPES, OUTBOX_CHANNELS } from '../domain/enums.js';
import { Timestamp } from '../domain/schemas.js';

/** Event types a Slack endpoint gets when none are given: escalations and anomalies. */
export const SLACK_DEFAULT_EVENTS = ['ticket.handed_off', 'sla.breached', 'anomaly.detected'] as const;

const url = z.url({ protocol: /^https?$/ }).max(2048);

export const EndpointInputSchema = z
  .object({
    kind: z.enum(['webhook', 'slack']).default('webhook'),
    name: z.string().trim().min(1).max(200).nullish(),
    url,
    /** Event types to deliver; empty or absent: every type (Slack: escalations and anomalies). */
    eventTypes: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type EndpointInput = z.infer<typeof EndpointInputSchema>;

export const EndpointPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).nullish(),
    url: url.optional(),
    eventTypes: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type EndpointPatch = z.infer<typeof EndpointPatchSchema>;

export const EndpointSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['webhook', 'slack']),
  name: z.string().nullable(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Endpoint = z.infer<typeof EndpointSchema>;

/** The answer to creating an endpoint: the only time its signing secret is shown. */
export const EndpointCreatedSchema = EndpointSchema.extend({ secret: z.string() });

export const AttemptSchema = z.object({
  attempt: z.number().int(),
  ok: z.boolean(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number(),
  at: Timestamp,
});

export const DeliverySchema = z.object({
  id: z.uuid(),
  channel: z.enum(OUTBOX_CHANNELS),
  endpointId: z.uuid().nullable(),
  eventId: z.number().int().nullable(),
  eventType: z.string(),
  ticketId: z.uuid().nullable(),
  seq: z.number().int().nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: Timestamp,
  lastError: z.string().nullable(),
  createdAt: Timestamp,
  deliveredAt: Timestamp.nullable(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const DeliveryDetailSchema = DeliverySchema.extend({
  payload: z.record(z.string(), z.unknown()),
  attemptLog: z.array(AttemptSchema),
});

export const DeliveryListQuerySchema = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    channel: z.enum(OUTBOX_CHANNELS).optional(),
    endpointId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type DeliveryListQuery = z.infer<typeof DeliveryListQuerySchema>;

// ── email ───────────────────────────────────────────────────────────────────
export const AttachmentInfoSchema = z.object({
  id: z.uuid(),
  ticketId: z.uuid(),
  messageId: z.uuid().nullable(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  contentId: z.string().nullable(),
  createdAt: Timestamp,
});

export const EmailRecordSchema = z.object({
  id: z.uuid(),
  ticketId: z.uuid(),
  messageId: z.uuid().nullable(),
  direction: z.enum(['inbound', 'outbound']),
  rfcMessageId: z.string(),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  fromAddress: z.string(),
  toAddresses: z.array(z.string()),
  subject: z.string(),
  hasRaw: z.boolean(),
  notes: z.record(z.string(), z.unknown()),
  createdAt: Timestamp,
});
