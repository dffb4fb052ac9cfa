import { z } from 'zod';
import {
  ACTOR_TYPES,
  AGENT_ROLES,
  AGENT_STATUSES,
  API_KEY_ROLES,
  AUTHOR_TYPES,
  CHANNELS,
  MESSAGE_VISIBILITIES,
  PRIORITIES,
  TICKET_STATUSES,
} from './enums.js';

/**
 * Schemas of the domain's inputs and outputs. The API validates with them, the OpenAPI document is
 * generated from them, and the TypeScript types are inferred from them.
 */
/**
 * The PATCH schema of an input schema: every field optional and without its default (zod's `.partial()`
 * would still fill defaults in, silently resetting fields the caller did not send).
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [
      key,
      (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType)).optional(),
    ]),
  );
  return z.object(shape).strict() as unknown as z.ZodObject<{
    [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer I> ? I : T[K]>;
  }>;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullish();
const attributes = z
  .record(z.string().max(100), z.unknown())
  .refine((v) => Object.keys(v).length <= 100, 'at most 100 attributes');
const isoDate = z.iso.datetime({ offset: true });
const tag = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}_:.-]+$/u, 'letters, digits, _ : . - only');

export const IdSchema = z.uuid();

/** A timestamp: an ISO 8601 string on the wire, a Date in code. */
export const Timestamp = z.codec(z.iso.datetime({ offset: true }), z.date(), {
  decode: (s) => new Date(s),
  encode: (d) => d.toISOString(),
});

export const PageContextSchema = z
  .object({
    url: z.string().max(2048).optional(),
    route: z.string().max(512).optional(),
    featureId: z.string().max(200).optional(),
    /** Every feature marker (`data-deskmind-feature`) on the page, the widget's view of where the customer is. */
    features: z.array(z.string().max(200)).max(50).optional(),
    appVersion: z.string().max(100).optional(),
    title: z.string().max(500).optional(),
    recentErrors: z.array(z.string().max(2000)).max(20).optional(),
  })
  .strict();
export type PageContextInput = z.infer<typeof PageContextSchema>;

export const AttachmentSchema = z
  .object({
    filename: text(255),
    contentType: text(255),
    size: z.number().int().min(0).max(1_000_000_000),
    url: z.url().max(2048).optional(),
  })
  .strict();
export type Attachment = z.infer<typeof AttachmentSchema>;

// ── accounts ────────────────────────────────────────────────────────────────
export const AccountInputSchema = z
  .object({
    externalId: optionalText(200),
    name: text(300),
    domain: optionalText(253),
    tier: z.string().trim().min(1).max(50).default('free'),
    plan: optionalText(100),
    mrr: z.number().min(0).max(1e12).default(0),
    seats: z.number().int().min(0).nullish(),
    billingState: z.string().trim().min(1).max(50).default('none'),
    crmId: optionalText(200),
    attributes: attributes.default({}),
  })
  .strict();
export type AccountInput = z.infer<typeof AccountInputSchema>;
export const AccountPatchSchema = patchOf(AccountInputSchema);
export type AccountPatch = z.infer<typeof AccountPatchSchema>;

export const AccountSchema = z.object({
  id: z.uuid(),
  externalId: z.string().nullable(),
  name: z.string(),
  domain: z.string().nullable(),
  tier: z.string(),
  plan: z.string().nullable(),
  mrr: z.number(),
  seats: z.number().nullable(),
  billingState: z.string(),
  crmId: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Account = z.infer<typeof AccountSchema>;

// ── customers ───────────────────────────────────────────────────────────────
export const CustomerInputSchema = z
  .object({
    email: z.email().max(320).toLowerCase().nullish(),
    name: optionalText(300),
    externalId: optionalText(200),
    locale: optionalText(35),
    accountId: z.uuid().nullish(),
    accountExternalId: optionalText(200),
    attributes: attributes.default({}),
  })
  .strict();
export type CustomerInput = z.infer<typeof CustomerInputSchema>;
export const CustomerPatchSchema = patchOf(CustomerInputSchema);
export type CustomerPatch = z.infer<typeof CustomerPatchSchema>;

export const CustomerSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  externalId: z.string().nullable(),
  locale: z.string().nullable(),
  accountId: z.uuid().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Customer = z.infer<typeof CustomerSchema>;

/** How a ticket names its customer: by id, email or external id (created when new). */
export const CustomerRefSchema = z
  .object({
    id: z.uuid().optional(),
    email: z.email().max(320).toLowerCase().optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
    name: z.string().trim().max(300).optional(),
    locale: z.string().trim().max(35).optional(),
    accountExternalId: z.string().trim().max(200).optional(),
  })
  .strict()
  .refine((c) => c.id || c.email || c.externalId, 'customer needs an id, email or externalId');
export type CustomerRef = z.infer<typeof CustomerRefSchema>;

// ── agents and teams ────────────────────────────────────────────────────────
const hhmm = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;
export const WorkingHoursSchema = z
  .object({
    timezone: z.string().min(1).max(64),
    days: z.partialRecord(z.enum(['0', '1', '2', '3', '4', '5', '6']), z.array(z.string().regex(hhmm, 'HH:MM-HH:MM'))),
  })
  .strict();
export type WorkingHours = z.infer<typeof WorkingHoursSchema>;

export const AgentInputSchema = z
  .object({
    name: text(200),
    email: z.email().max(320).toLowerCase(),
    role: z.enum(AGENT_ROLES).default('agent'),
    skills: z.array(tag).max(100).default([]),
    languages: z.array(z.string().min(2).max(10)).max(50).default(['en']),
    capacity: z.number().int().min(0).max(1000).default(10),
    status: z.enum(AGENT_STATUSES).default('offline'),
    workingHours: WorkingHoursSchema.nullish(),
    password: z.string().min(8).max(200).optional(),
    teamIds: z.array(z.uuid()).max(50).optional(),
  })
  .strict();
export type AgentInput = z.infer<typeof AgentInputSchema>;
export const AgentPatchSchema = patchOf(AgentInputSchema);
export type AgentPatch = z.infer<typeof AgentPatchSchema>;

export const AgentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: z.enum(AGENT_ROLES),
  skills: z.array(z.string()),
  languages: z.array(z.string()),
  capacity: z.number(),
  status: z.enum(AGENT_STATUSES),
  workingHours: WorkingHoursSchema.nullable(),
  teamIds: z.array(z.uuid()),
  createdAt: Timestamp,
});
export type Agent = z.infer<typeof AgentSchema>;

export const TeamInputSchema = z
  .object({ name: text(200), description: optionalText(2000), skills: z.array(tag).max(100).default([]) })
  .strict();
export type TeamInput = z.infer<typeof TeamInputSchema>;
export const TeamPatchSchema = patchOf(TeamInputSchema);
export const TeamSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  skills: z.array(z.string()),
  memberIds: z.array(z.uuid()),
  createdAt: Timestamp,
});
export type Team = z.infer<typeof TeamSchema>;

// ── tickets and messages ────────────────────────────────────────────────────
export const MessageInputSchema = z
  .object({
    text: z.string().max(100_000).optional(),
    html: z.string().max(500_000).optional(),
    authorType: z.enum(AUTHOR_TYPES).optional(),
    authorId: z.uuid().optional(),
    visibility: z.enum(MESSAGE_VISIBILITIES).default('public'),
    attachments: z.array(AttachmentSchema).max(50).default([]),
    pageContext: PageContextSchema.optional(),
  })
  .strict()
  .refine((m) => m.text?.trim() || m.html?.trim(), 'a message needs text or html');
export type MessageInput = z.infer<typeof MessageInputSchema>;

export const MessageSchema = z.object({
  id: z.uuid(),
  ticketId: z.uuid(),
  authorType: z.enum(AUTHOR_TYPES),
  authorId: z.string().nullable(),
  visibility: z.enum(MESSAGE_VISIBILITIES),
  text: z.string(),
  html: z.string().nullable(),
  attachments: z.array(AttachmentSchema),
  pageContext: PageContextSchema.nullable(),
  createdAt: Timestamp,
});
export type Message = z.infer<typeof MessageSchema>;

export const TicketCreateSchema = z
  .object({
    subject: text(500),
    message: MessageInputSchema,
    customer: CustomerRefSchema,
    channel: z.enum(CHANNELS).default('api'),
    priority: z.enum(PRIORITIES).optional(),
    tags: z.array(tag).max(50).default([]),
    pageContext: PageContextSchema.optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type TicketCreate = z.infer<typeof TicketCreateSchema>;

export const TicketPatchSchema = z
  .object({
    subject: text(500).optional(),
    status: z.enum(TICKET_STATUSES).optional(),
    snoozedUntil: isoDate.nullish(),
    priority: z.enum(PRIORITIES).optional(),
    assigneeId: z.uuid().nullish(),
    teamId: z.uuid().nullish(),
    intent: z.string().trim().min(1).max(100).nullish(),
    tags: z.array(tag).max(50).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type TicketPatch = z.infer<typeof TicketPatchSchema>;

export const TicketSchema = z.object({
  id: z.uuid(),
  subject: z.string(),
  status: z.enum(TICKET_STATUSES),
  priority: z.enum(PRIORITIES),
  channel: z.enum(CHANNELS),
  customerId: z.uuid().nullable(),
  assigneeId: z.uuid().nullable(),
  teamId: z.uuid().nullable(),
  intent: z.string().nullable(),
  intentConfidence: z.number().nullable(),
  tags: z.array(z.string()),
  pageContext: PageContextSchema.nullable(),
  externalId: z.string().nullable(),
  firstResponseAt: Timestamp.nullable(),
  resolvedAt: Timestamp.nullable(),
  closedAt: Timestamp.nullable(),
  snoozedUntil: Timestamp.nullable(),
  reopenCount: z.number(),
  lastMessageAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Ticket = z.infer<typeof TicketSchema>;

export const EventSchema = z.object({
  id: z.number(),
  ticketId: z.uuid().nullable(),
  type: z.string(),
  actorType: z.enum(ACTOR_TYPES),
  actorId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: Timestamp,
});
export type TimelineEvent = z.infer<typeof EventSchema>;

export const DecisionSchema = z.object({
  id: z.uuid(),
  runId: z.string(),
  stage: z.string(),
  ok: z.boolean(),
  result: z.record(z.string(), z.unknown()),
  modelVersion: z.string().nullable(),
  durationMs: z.number(),
  createdAt: Timestamp,
});
export type Decision = z.infer<typeof DecisionSchema>;

export const TicketDetailSchema = TicketSchema.extend({
  customer: CustomerSchema.nullable(),
  messages: z.array(MessageSchema),
  timeline: z.array(EventSchema),
  decisions: z.array(DecisionSchema),
});
export type TicketDetail = z.infer<typeof TicketDetailSchema>;

const csv = <T extends z.ZodType>(inner: T, max = 20, min = 0) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(inner).min(min).max(max),
  );

/** At most this many ticket ids in one list query (an anomaly keeps 50; a bug report's newest are enough). */
export const TICKET_LIST_MAX_IDS = 100;

export const TicketListQuerySchema = z
  .object({
    status: csv(z.enum(TICKET_STATUSES)).optional(),
    priority: csv(z.enum(PRIORITIES)).optional(),
    assigneeId: z.union([z.uuid(), z.literal('none')]).optional(),
    teamId: z.uuid().optional(),
    intent: z.string().max(100).optional(),
    tag: z.string().max(64).optional(),
    customerId: z.uuid().optional(),
    /** Tickets of the account's customers. */
    accountId: z.uuid().optional(),
    /** Only these tickets (a comma list of ids): the tickets behind an insight (an anomaly, a bug report). */
    ids: csv(z.uuid(), TICKET_LIST_MAX_IDS, 1).optional(),
    /** Tickets of the topic (src/insights/topics.ts). */
    topicId: z.uuid().optional(),
    q: z.string().trim().min(1).max(500).optional(),
    /** Newest first by creation (default) or by last update. */
    sort: z.enum(['created', 'updated']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type TicketListQuery = z.infer<typeof TicketListQuerySchema>;

export const PageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export const ApiKeyCreateSchema = z.object({ name: text(200), role: z.enum(API_KEY_ROLES).default('agent') }).strict();
export const ApiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(API_KEY_ROLES),
  prefix: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
