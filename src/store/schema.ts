import { getTableColumns, sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type {
  ActorType,
  AgentRole,
  AgentStatus,
  ApiKeyRole,
  AuthorType,
  Channel,
  DeliveryStatus,
  MessageVisibility,
  OutboxChannel,
  Priority,
  TicketStatus,
} from '../domain/enums.js';
import type { Attachment, PageContextInput as PageContext, WorkingHours } from '../domain/schemas.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const workspaces = pgTable(
  'workspaces',
  {
    id: id(),
    name: text('name').notNull(),
    /** Signs the HTTP actions playbooks call on the workspace's own backend (HMAC-SHA256). */
    signingSecret: text('signing_secret')
      .notNull()
      .default(sql`replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  // The widget finds its workspace by the public id in its <script> tag.
  (t) => [uniqueIndex('workspaces_widget_public_id_uq').on(sql`(${t.settings} -> 'widget' ->> 'publicId')`)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    role: text('role').$type<ApiKeyRole>().notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash)],
);

export const accounts = pgTable(
  'accounts',
  {
    id: id(),
    workspaceId: workspaceId(),
    externalId: text('external_id'),
    name: text('name').notNull(),
    domain: text('domain'),
    tier: text('tier').notNull().default('free'),
    plan: text('plan'),
    mrr: doublePrecision('mrr').notNull().default(0),
    seats: integer('seats'),
    billingState: text('billing_state').notNull().default('none'),
    crmId: text('crm_id'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('accounts_external_uq').on(t.workspaceId, t.externalId),
    index('accounts_domain_idx').on(t.workspaceId, t.domain),
  ],
);

export const customers = pgTable(
  'customers',
  {
    id: id(),
    workspaceId: workspaceId(),
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'set null' }),
    email: text('email'),
    name: text('name'),
    externalId: text('external_id'),
    locale: text('locale'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('customers_email_uq').on(t.workspaceId, t.email),
    uniqueIndex('customers_external_uq').on(t.workspaceId, t.externalId),
    index('customers_account_idx').on(t.accountId),
  ],
);

export const teams = pgTable(
  'teams',
  {
    id: id(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    description: text('description'),
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('teams_name_uq').on(t.workspaceId, t.name)],
);

export const agents = pgTable(
  'agents',
  {
    id: id(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    role: text('role').$type<AgentRole>().notNull().default('agent'),
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    languages: text('languages').array().notNull().default(sql`'{en}'::text[]`),
    capacity: integer('capacity').notNull().default(10),
    status: text('status').$type<AgentStatus>().notNull().default('offline'),
    workingHours: jsonb('working_hours').$type<WorkingHours | null>(),
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('agents_email_uq').on(t.workspaceId, t.email)],
);

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.agentId] }), index('team_members_agent_idx').on(t.agentId)],
);

export const agentSessions = pgTable('agent_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  agentId: uuid('agent_id')
    .notNull()
    .references(() => agents.id, { onDelete: 'cascade' }),
  workspaceId: workspaceId(),
  createdAt: createdAt(),
  expiresAt: ts('expires_at').notNull(),
});

export const tickets = pgTable(
  'tickets',
  {
    id: id(),
    workspaceId: workspaceId(),
    subject: text('subject').notNull(),
    status: text('status').$type<TicketStatus>().notNull().default('new'),
    priority: text('priority').$type<Priority>().notNull().default('normal'),
    channel: text('channel').$type<Channel>().notNull().default('api'),
    customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
    assigneeId: uuid('assignee_id').references(() => agents.id, { onDelete: 'set null' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    intent: text('intent'),
    intentConfidence: doublePrecision('intent_confidence'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    pageContext: jsonb('page_context').$type<PageContext | null>(),
    externalId: text('external_id'),
    firstResponseAt: ts('first_response_at'),
    resolvedAt: ts('resolved_at'),
    closedAt: ts('closed_at'),
    snoozedUntil: ts('snoozed_until'),
    reopenCount: integer('reopen_count').notNull().default(0),
    lastMessageAt: ts('last_message_at'),
    search: tsvector('search'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** SLA (src/sla): the policy in force and its due times, computed by `applySla`. */
    slaPolicy: text('sla_policy'),
    firstResponseDueAt: ts('first_response_due_at'),
    resolutionDueAt: ts('resolution_due_at'),
    /** When the SLA sweep escalated the ticket before a breach (once per ticket). */
    slaEscalatedAt: ts('sla_escalated_at'),
    /** When each SLA target was first seen breached (each recorded once). */
    firstResponseBreachedAt: ts('first_response_breached_at'),
    resolutionBreachedAt: ts('resolution_breached_at'),
    /** While the ticket waits on the customer (pending, snoozed) its resolution clock is paused since then. */
    slaPausedAt: ts('sla_paused_at'),
    /** Business minutes the resolution clock spent paused so far (added to the resolution target). */
    slaPausedMinutes: integer('sla_paused_minutes').notNull().default(0),
  },
  (t) => [
    // Each list filter's index yields its tickets newest first (migration 0017).
    index('tickets_ws_created_idx').on(t.workspaceId, t.createdAt, t.id),
    index('tickets_ws_updated_idx').on(t.workspaceId, t.updatedAt, t.id),
    index('tickets_ws_status_idx').on(t.workspaceId, t.status, t.createdAt, t.id),
    index('tickets_assignee_idx').on(t.workspaceId, t.assigneeId, t.createdAt, t.id),
    index('tickets_customer_idx').on(t.workspaceId, t.customerId, t.createdAt, t.id),
    index('tickets_ws_intent_idx').on(t.workspaceId, t.intent, t.createdAt, t.id),
    index('tickets_ws_team_idx').on(t.workspaceId, t.teamId, t.createdAt, t.id),
    index('tickets_ws_priority_idx').on(t.workspaceId, t.priority, t.createdAt, t.id),
    index('tickets_tags_idx').using('gin', t.tags),
    // The queue's views over the tickets still waiting (src/sla/queue.ts).
    index('tickets_queue_assignee_idx')
      .on(t.workspaceId, t.assigneeId)
      .where(sql`status in ('new', 'open', 'pending')`),
    index('tickets_queue_team_idx').on(t.workspaceId, t.teamId).where(sql`status in ('new', 'open', 'pending')`),
    index('tickets_search_idx').using('gin', t.search),
    uniqueIndex('tickets_external_uq').on(t.workspaceId, t.externalId),
  ],
);

/** A ticket's columns without its search vector (which only full-text search reads): what services select. */
export const { search: _ticketSearch, ...ticketColumns } = getTableColumns(tickets);
/** A stored ticket as services read it. */
export type TicketRow = Omit<typeof tickets.$inferSelect, 'search'>;

export const messages = pgTable(
  'messages',
  {
    id: id(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    authorType: text('author_type').$type<AuthorType>().notNull(),
    authorId: uuid('author_id'),
    visibility: text('visibility').$type<MessageVisibility>().notNull().default('public'),
    bodyText: text('body_text').notNull(),
    bodyHtml: text('body_html'),
    attachments: jsonb('attachments').$type<Attachment[]>().notNull().default([]),
    pageContext: jsonb('page_context').$type<PageContext | null>(),
    createdAt: createdAt(),
  },
  (t) => [index('messages_ticket_idx').on(t.ticketId, t.createdAt)],
);

/** The append-only timeline. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    actorType: text('actor_type').$type<ActorType>().notNull(),
    actorId: text('actor_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('events_ticket_idx').on(t.ticketId, t.id), index('events_ws_type_idx').on(t.workspaceId, t.type, t.id)],
);

/**
 * An agent's verdict on a ticket's handoff packet: `had_what_i_needed` or `missing` (with the fields missing).
 * One per person and ticket (`actorType`, `actorId`: an agent session or an API key); a second replaces the first.
 */
export const handoffVerdicts = pgTable(
  'handoff_verdicts',
  {
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    actorType: text('actor_type').$type<ActorType>().notNull(),
    actorId: text('actor_id').notNull(),
    verdict: text('verdict').$type<'had_what_i_needed' | 'missing'>().notNull(),
    missing: jsonb('missing').$type<string[]>().notNull().default([]),
    note: text('note'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ name: 'handoff_verdicts_pk', columns: [t.ticketId, t.actorType, t.actorId] }),
    index('handoff_verdicts_ws_idx').on(t.workspaceId, t.ticketId),
  ],
);

/** The decision record: each pipeline stage's result on a ticket, replayable and explainable. */
export const decisions = pgTable(
  'decisions',
  {
    id: id(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    runId: text('run_id').notNull(),
    stage: text('stage').notNull(),
    ok: boolean('ok').notNull(),
    result: jsonb('result').$type<Record<string, unknown>>().notNull(),
    modelVersion: text('model_version'),
    durationMs: doublePrecision('duration_ms').notNull().default(0),
    createdAt: createdAt(),
  },
  // The unique index (ticket first) also serves every read of a ticket's records: a second index on
  // (ticket, created_at) only made each insert dearer. The table keeps records of up to ~8 KB inline and
  // uncompressed (`toast_tuple_target`, set in migration 0012): most are 1–3 KB, written once, read rarely.
  (t) => [uniqueIndex('decisions_run_stage_uq').on(t.ticketId, t.runId, t.stage)],
);

/** Sentence vectors of texts the intent memory holds, by encoder and text hash (computed once, migration 0019). */
export const textVectors = pgTable(
  'text_vectors',
  {
    workspaceId: workspaceId(),
    encoder: text('encoder').notNull(),
    textHash: text('text_hash').notNull(),
    vector: bytea('vector').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'text_vectors_pk', columns: [t.workspaceId, t.encoder, t.textHash] })],
);

/** Versioned learned models per workspace (e.g. the intent classifier). */
export const models = pgTable(
  'models',
  {
    id: id(),
    workspaceId: workspaceId(),
    kind: text('kind').notNull(),
    version: integer('version').notNull(),
    data: bytea('data').notNull(),
    metrics: jsonb('metrics').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('models_version_uq').on(t.workspaceId, t.kind, t.version)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    workspaceId: workspaceId(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.key] })],
);

/** A step of a guided walkthrough: the widget highlights the element the selector names. */
export interface WalkthroughStep {
  title: string;
  selector: string;
  body?: string | undefined;
}

/** Knowledge-base articles (markdown), the current version of each. */
export const articles = pgTable(
  'articles',
  {
    id: id(),
    workspaceId: workspaceId(),
    externalId: text('external_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    intents: text('intents').array().notNull().default(sql`'{}'::text[]`),
    /** Tiers that may see the article; empty means everyone. */
    tiers: text('tiers').array().notNull().default(sql`'{}'::text[]`),
    walkthrough: jsonb('walkthrough').$type<WalkthroughStep[] | null>(),
    status: text('status').$type<'published' | 'draft'>().notNull().default('published'),
    version: integer('version').notNull().default(1),
    /** Learned usefulness (answers that get reopened lower it). */
    usefulness: doublePrecision('usefulness').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('articles_external_uq').on(t.workspaceId, t.externalId),
    index('articles_ws_idx').on(t.workspaceId),
  ],
);

/** Every saved version of an article (append-only). */
export const articleVersions = pgTable(
  'article_versions',
  {
    id: id(),
    workspaceId: workspaceId(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    tags: text('tags').array().notNull(),
    intents: text('intents').array().notNull(),
    tiers: text('tiers').array().notNull(),
    walkthrough: jsonb('walkthrough').$type<WalkthroughStep[] | null>(),
    actorType: text('actor_type').$type<ActorType>().notNull(),
    actorId: text('actor_id'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('article_versions_uq').on(t.articleId, t.version)],
);

/** Retrieval units of the current article versions: full-text vector and an embedding. */
export const articleChunks = pgTable(
  'article_chunks',
  {
    id: id(),
    workspaceId: workspaceId(),
    articleId: uuid('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    heading: text('heading'),
    text: text('text').notNull(),
    search: tsvector('search'),
    embedding: real('embedding').array(),
    embedder: text('embedder'),
  },
  (t) => [
    index('article_chunks_ws_idx').on(t.workspaceId),
    index('article_chunks_search_idx').using('gin', t.search),
    index('article_chunks_article_idx').on(t.articleId),
  ],
);

/** What the assistant does for an intent: answer from the knowledge base, run an action, or hand off. */
export const playbooks = pgTable(
  'playbooks',
  {
    id: id(),
    workspaceId: workspaceId(),
    intent: text('intent').notNull(),
    kind: text('kind').$type<'answer' | 'action' | 'handoff'>().notNull(),
    /** auto: the assistant sends; shadow: it drafts and a human approves; off: not used. */
    mode: text('mode').$type<'auto' | 'shadow' | 'off'>().notNull().default('shadow'),
    template: text('template'),
    action: jsonb('action').$type<Record<string, unknown> | null>(),
    /** Autonomy threshold for this intent; null uses the workspace default. */
    threshold: doublePrecision('threshold'),
    /** Skills an agent should have for this intent (routing prefers agents who have them). */
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('playbooks_intent_uq').on(t.workspaceId, t.intent)],
);

/** Routing rules: the first enabled rule (by position) whose conditions match picks a ticket's team. */
export const routingRules = pgTable(
  'routing_rules',
  {
    id: id(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    /** Evaluation order: lower first. */
    position: integer('position').notNull().default(0),
    enabled: boolean('enabled').notNull().default(true),
    conditions: jsonb('conditions').$type<import('../routing/schemas.js').RoutingConditions>().notNull().default({}),
    /** The team the rule sends tickets to; null keeps the default team (the rule then only adds requirements). */
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    requiredSkills: text('required_skills').array().notNull().default(sql`'{}'::text[]`),
    /** Assign the account's owner first when they can take the ticket. */
    preferAccountOwner: boolean('prefer_account_owner').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('routing_rules_name_uq').on(t.workspaceId, t.name),
    index('routing_rules_ws_idx').on(t.workspaceId, t.position),
  ],
);

// ── channels (src/channels): outbound webhooks, Slack notices and the email channel ────────────────
/** A webhook or Slack endpoint that receives the workspace's events through the outbox. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: id(),
    workspaceId: workspaceId(),
    kind: text('kind').$type<'webhook' | 'slack'>().notNull().default('webhook'),
    name: text('name'),
    url: text('url').notNull(),
    /** HMAC-SHA256 key of the signature header (shown to the admin once, at creation). */
    secret: text('secret').notNull(),
    /** Event types delivered; empty: every type. */
    eventTypes: text('event_types').array().notNull().default(sql`'{}'::text[]`),
    enabled: boolean('enabled').notNull().default(true),
    /** One worker at a time delivers an endpoint's queue, in order. */
    leaseUntil: ts('lease_until'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('webhook_endpoints_ws_idx').on(t.workspaceId)],
);

/**
 * The durable outbox: one row per (event, endpoint) or outbound email, written in the transaction of the
 * event. `pos` orders rows as written; `seq` is given by the single sequencer in the order rows become
 * visible (a transaction that commits late is numbered late, never skipped), and deliveries go out per
 * endpoint in `seq` order.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: id(),
    pos: bigserial('pos', { mode: 'number' }).notNull(),
    workspaceId: workspaceId(),
    channel: text('channel').$type<OutboxChannel>().notNull(),
    endpointId: uuid('endpoint_id').references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' }),
    eventType: text('event_type').notNull(),
    ticketId: uuid('ticket_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    seq: bigint('seq', { mode: 'number' }),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    leaseUntil: ts('lease_until'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    index('outbox_unsequenced_idx').on(t.pos).where(sql`seq is null`),
    index('outbox_seq_idx').on(t.seq),
    index('outbox_endpoint_idx').on(t.endpointId, t.status, t.seq),
    index('outbox_ws_idx').on(t.workspaceId, t.status, t.createdAt),
  ],
);

/** Every attempt of an outbox delivery, with the answer or the error. */
export const outboxAttempts = pgTable(
  'outbox_attempts',
  {
    id: id(),
    workspaceId: workspaceId(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => outbox.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    ok: boolean('ok').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: doublePrecision('duration_ms').notNull().default(0),
    at: ts('at').notNull(),
  },
  (t) => [index('outbox_attempts_delivery_idx').on(t.deliveryId, t.at)],
);

/** Emails of a ticket, in and out: their RFC 5322 Message-IDs thread replies; inbound ones keep the raw mail. */
export const emailMessages = pgTable(
  'email_messages',
  {
    id: id(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    direction: text('direction').$type<'inbound' | 'outbound'>().notNull(),
    rfcMessageId: text('rfc_message_id').notNull(),
    inReplyTo: text('in_reply_to'),
    references: text('references').array().notNull().default(sql`'{}'::text[]`),
    fromAddress: text('from_address').notNull(),
    toAddresses: text('to_addresses').array().notNull().default(sql`'{}'::text[]`),
    subject: text('subject').notNull().default(''),
    raw: bytea('raw'),
    notes: jsonb('notes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('email_messages_rfc_uq').on(t.workspaceId, t.rfcMessageId),
    index('email_messages_ticket_idx').on(t.ticketId, t.createdAt),
  ],
);

/** Files attached to messages (stored in the database, so every process of a scaled deployment serves them). */
export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    workspaceId: workspaceId(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    contentId: text('content_id'),
    content: bytea('content').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('attachments_ticket_idx').on(t.ticketId, t.createdAt)],
);

// ── insights (src/insights): topics, anomalies, bug reports ─────────────────

/** Topics: clusters of recent tickets, with their centroid (in the embedder's space) and readable label. */
export const insightTopics = pgTable(
  'insight_topics',
  {
    id: id(),
    workspaceId: workspaceId(),
    label: text('label').notNull(),
    keyPhrases: text('key_phrases').array().notNull().default(sql`'{}'::text[]`),
    centroid: real('centroid').array().notNull(),
    embedder: text('embedder').notNull(),
    size: integer('size').notNull().default(0),
    firstSeenAt: ts('first_seen_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('insight_topics_ws_idx').on(t.workspaceId)],
);

/** Which topic a ticket belongs to (one row per ticket; reassigned by re-clustering). */
export const ticketTopics = pgTable(
  'ticket_topics',
  {
    ticketId: uuid('ticket_id')
      .primaryKey()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    workspaceId: workspaceId(),
    topicId: uuid('topic_id')
      .notNull()
      .references(() => insightTopics.id, { onDelete: 'cascade' }),
    similarity: doublePrecision('similarity').notNull(),
    assignedAt: ts('assigned_at').notNull(),
    /** The ticket's creation time, set by a trigger (migration 0021): a topic's newest tickets come from an index. */
    ticketCreatedAt: ts('ticket_created_at'),
  },
  (t) => [
    index('ticket_topics_topic_idx').on(t.workspaceId, t.topicId),
    index('ticket_topics_topic_created_idx').on(t.workspaceId, t.topicId, t.ticketCreatedAt, t.ticketId),
  ],
);

/**
 * Tickets waiting to join a topic (migration 0027): a row per ticket without one, kept by triggers (a new ticket
 * waits, a ticket given a topic waits no more, one whose topic is deleted waits again); a join claims the rows it
 * assigns by deleting them in its own transaction (src/insights/topics.ts).
 */
export const insightTopicPending = pgTable(
  'insight_topic_pending',
  {
    ticketId: uuid('ticket_id')
      .primaryKey()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('insight_topic_pending_ws_idx').on(t.workspaceId, t.createdAt)],
);

/**
 * Insight rollups (migration 0021): per workspace, hour (and day), dimension (`all`, intent, topic, tier, feature,
 * account, channel, `topic.intent`, and `error` since 0025: one key per normalised error of the page context) and
 * key, the sums of its tickets' facts, kept by triggers in the writing transaction (src/insights/rollups.ts reads
 * them). No foreign key: a workspace's deletion removes them by trigger.
 */
export const insightRollups = pgTable(
  'insight_rollups',
  {
    workspaceId: uuid('workspace_id').notNull(),
    /** 'h': the hour starting at `hour`; 'd': the UTC day starting at `hour`. */
    grain: text('grain').$type<'h' | 'd'>().notNull(),
    hour: ts('hour').notNull(),
    dimension: text('dimension').notNull(),
    key: text('key'),
    tickets: integer('tickets').notNull().default(0),
    open: integer('open').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    reopened: integer('reopened').notNull().default(0),
    slaBreached: integer('sla_breached').notNull().default(0),
    escalated: integer('escalated').notNull().default(0),
    sentimentSum: numeric('sentiment_sum').notNull().default('0'),
    sentimentN: integer('sentiment_n').notNull().default(0),
    churn: integer('churn').notNull().default(0),
    firstResponseMs: bigint('first_response_ms', { mode: 'number' }).notNull().default(0),
    firstResponseN: integer('first_response_n').notNull().default(0),
    resolutionMs: bigint('resolution_ms', { mode: 'number' }).notNull().default(0),
    resolutionN: integer('resolution_n').notNull().default(0),
  },
  (t) => [
    uniqueIndex('insight_rollups_uq').on(
      t.workspaceId,
      t.dimension,
      t.grain,
      t.hour,
      sql`(${t.key} is null)`,
      sql`coalesce(${t.key}, '')`,
    ),
    index('insight_rollups_account_idx').on(t.workspaceId, t.key, t.grain, t.hour).where(sql`dimension = 'account'`),
  ],
);

/**
 * Each account's health signals and the order of the health read (migration 0028), as of its workspace's
 * `insight_account_health_state.as_of`; src/insights/health.ts recomputes the accounts marked since (by triggers on
 * the rollups and on accounts) or with a ticket that crossed a window's edge, then reads the riskiest from the index.
 */
export const insightAccountHealth = pgTable(
  'insight_account_health',
  {
    accountId: uuid('account_id')
      .primaryKey()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id').notNull(),
    signals: jsonb('signals').$type<Record<string, number | null>>().notNull(),
    /** 0 high, 1 medium, 2 low. */
    riskRank: smallint('risk_rank').notNull(),
    revenueAtRisk: doublePrecision('revenue_at_risk').notNull(),
    mrr: doublePrecision('mrr').notNull(),
    score: doublePrecision('score').notNull(),
  },
  (t) => [
    index('insight_account_health_rank_idx').on(
      t.workspaceId,
      t.riskRank,
      sql`${t.revenueAtRisk} desc`,
      sql`${t.mrr} desc`,
      t.score,
      t.accountId,
    ),
  ],
);

/** When a workspace's account health rows were last brought up to date (migration 0028). */
export const insightAccountHealthState = pgTable('insight_account_health_state', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  asOf: ts('as_of').notNull(),
});

/** Accounts whose health may have changed (migration 0028): appended by triggers, deleted by the refresh that reads
 * them. */
export const insightAccountHealthMarks = pgTable(
  'insight_account_health_marks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id').notNull(),
  },
  (t) => [index('insight_account_health_marks_ws_idx').on(t.workspaceId, t.id)],
);

/** Each ticket's first understanding carrying a sentiment, kept by a trigger on decisions (migration 0021) for the
 * rollups. */
export const insightTicketSentiments = pgTable('insight_ticket_sentiments', {
  ticketId: uuid('ticket_id')
    .primaryKey()
    .references(() => tickets.id, { onDelete: 'cascade' }),
  compound: doublePrecision('compound').notNull(),
  churn: boolean('churn').notNull(),
  decidedAt: ts('decided_at').notNull(),
});

/** Spikes detected against a series' own seasonal baseline. */
export const anomalies = pgTable(
  'anomalies',
  {
    id: id(),
    workspaceId: workspaceId(),
    dimension: text('dimension').notNull(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    windowStart: ts('window_start').notNull(),
    windowEnd: ts('window_end').notNull(),
    observed: integer('observed').notNull(),
    expected: doublePrecision('expected').notNull(),
    pValue: doublePrecision('p_value').notNull(),
    ticketIds: text('ticket_ids').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [
    index('anomalies_ws_idx').on(t.workspaceId, t.createdAt),
    index('anomalies_series_idx').on(t.workspaceId, t.dimension, t.key, t.windowEnd),
  ],
);

/** Bug reports: a group of bug tickets, its structured report and the engineering issue it is linked to. */
export const bugReports = pgTable(
  'bug_reports',
  {
    id: id(),
    workspaceId: workspaceId(),
    fingerprint: text('fingerprint').notNull(),
    title: text('title').notNull(),
    report: jsonb('report').$type<Record<string, unknown>>().notNull(),
    ticketIds: text('ticket_ids').array().notNull().default(sql`'{}'::text[]`),
    centroid: real('centroid').array(),
    status: text('status').$type<'open' | 'closed'>().notNull().default('open'),
    tracker: text('tracker'),
    externalId: text('external_id'),
    externalKey: text('external_key'),
    externalUrl: text('external_url'),
    /** Tickets the engineering issue already knows about (a larger count needs an update). */
    sentTicketCount: integer('sent_ticket_count').notNull().default(0),
    lastSentAt: ts('last_sent_at'),
    lastError: text('last_error'),
    closedAt: ts('closed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('bug_reports_fingerprint_uq').on(t.workspaceId, t.fingerprint),
    index('bug_reports_external_idx').on(t.workspaceId, t.tracker, t.externalId),
  ],
);

/** When each periodic insights job last ran per workspace (throttles the sweep). */
export const insightRuns = pgTable(
  'insight_runs',
  {
    workspaceId: workspaceId(),
    kind: text('kind').notNull(),
    lastRunAt: ts('last_run_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.kind] })],
);

// ── Integrations: billing, CRM, usage (src/connectors) ────────────────────

/** Per-workspace integration settings: `settings` may be shown, `secrets` are write-only. */
export const integrationSettings = pgTable('integration_settings', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  secrets: jsonb('secrets').$type<Record<string, string>>().notNull().default({}),
  updatedAt: updatedAt(),
});

/** A customer of the billing provider (Stripe) and its billing state, kept current by signed webhooks. */
export const billingCustomers = pgTable(
  'billing_customers',
  {
    id: id(),
    workspaceId: workspaceId(),
    provider: text('provider').notNull().default('stripe'),
    externalCustomerId: text('external_customer_id').notNull(),
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'set null' }),
    email: text('email'),
    name: text('name'),
    /** active | trialing | past_due | cancelled | downgraded | none */
    state: text('state').notNull().default('none'),
    /** The provider's own subscription status (e.g. `unpaid`, `incomplete`). */
    status: text('status'),
    subscriptionId: text('subscription_id'),
    plan: text('plan'),
    mrr: doublePrecision('mrr'),
    currency: text('currency'),
    seats: integer('seats'),
    currentPeriodEnd: ts('current_period_end'),
    trialEnd: ts('trial_end'),
    cancelAt: ts('cancel_at'),
    cancelledAt: ts('cancelled_at'),
    downgradedAt: ts('downgraded_at'),
    previousPlan: text('previous_plan'),
    previousMrr: doublePrecision('previous_mrr'),
    lastPaymentFailure: jsonb('last_payment_failure').$type<Record<string, unknown> | null>(),
    lastPaymentAt: ts('last_payment_at'),
    lastRefund: jsonb('last_refund').$type<Record<string, unknown> | null>(),
    /** Creation time of the newest subscription event applied (older ones arriving late are ignored). */
    subscriptionEventAt: ts('subscription_event_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('billing_customers_external_uq').on(t.workspaceId, t.provider, t.externalCustomerId),
    index('billing_customers_account_idx').on(t.accountId),
    index('billing_customers_email_idx').on(t.workspaceId, t.email),
  ],
);

/** Signed webhook deliveries already processed (replay protection), per workspace and source. */
export const webhookReceipts = pgTable(
  'webhook_receipts',
  {
    workspaceId: workspaceId(),
    source: text('source').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    /** The signature's timestamp: a redelivery is signed afresh, a replay repeats it. */
    signedAt: ts('signed_at').notNull(),
    receivedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.source, t.eventId] }),
    index('webhook_receipts_received_idx').on(t.receivedAt),
  ],
);

/** Product usage (Segment identify/track/page events) per customer, pruned to the workspace's retention. */
export const usageEvents = pgTable(
  'usage_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    event: text('event'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    messageId: text('message_id'),
    occurredAt: ts('occurred_at').notNull(),
    receivedAt: createdAt(),
  },
  (t) => [
    uniqueIndex('usage_events_message_uq').on(t.workspaceId, t.messageId),
    index('usage_events_customer_idx').on(t.customerId, t.occurredAt),
  ],
);

// ── Security: the audit log ──────────────────────────────────────────────────

/**
 * Admin actions (settings, API keys, agents, thresholds, integrations …): who did what, when, on which
 * route, with the request's non-secret fields. Append-only. AI actions are read from `events` beside it.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    workspaceId: workspaceId(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    /** e.g. `PATCH /settings/autonomy` */
    action: text('action').notNull(),
    /** The path parameters (e.g. the agent's id). */
    target: jsonb('target').$type<Record<string, unknown>>().notNull().default({}),
    /** The request body with secrets replaced by "[redacted]". */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    status: integer('status').notNull(),
    ip: text('ip'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_ws_created_idx').on(t.workspaceId, t.createdAt)],
);

// ── Scale: configuration versions ────────────────────────────────────────────

/**
 * A counter per workspace that database triggers raise whenever what the pipeline reads as configuration
 * changes (the workspace row, integration settings, routing rules, teams and their members, playbooks,
 * articles), from any process. A pipeline run reads it once and serves those reads from memory while it is
 * unchanged (src/store/config-cache.ts). No foreign key: a workspace's deletion removes its row by trigger.
 */
export const configVersions = pgTable('config_versions', {
  workspaceId: uuid('workspace_id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});

/**
 * Rate-limit counters shared by every API process on a PostgreSQL server (one row per limited key and
 * window; src/server/rate-limit-store.ts). Expired rows are deleted by the lifecycle sweep.
 */
/**
 * Server mode: each job worker loop (pg-boss worker id), when it last beat and the jobs it holds; a job active
 * past the lease that no live worker holds is retried (src/jobs/queue.ts, docs/crash-safety.md).
 */
export const jobWorkers = pgTable('job_workers', {
  id: text('id').primaryKey(),
  beatAt: timestamp('beat_at', { withTimezone: true, mode: 'date' }).notNull(),
  jobs: uuid('jobs').array().notNull().default(sql`'{}'`),
});

export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  resetAt: timestamp('reset_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** Bulk imports (src/ingest/import.ts): one row per unfinished import of a file, moved on per chunk, deleted at its
 * end. */
export const importRuns = pgTable(
  'import_runs',
  {
    workspaceId: workspaceId(),
    /** The kind and a hash of the file's content: the same file resumes, a changed one starts afresh. */
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    total: integer('total').notNull(),
    /** Rows of the file written so far (whole chunks). */
    done: integer('done').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    rejections: jsonb('rejections').$type<{ line: number; reason: string }[]>().notNull().default([]),
    startedAt: ts('started_at').notNull().defaultNow(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.key] })],
);
