/** Closed vocabularies of the domain, shared by the database schema and the API schemas. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** The statuses of a ticket still waiting for an answer (not resolved or closed). */
export const OPEN_TICKET_STATUSES = ['new', 'open', 'pending', 'snoozed'] as const satisfies readonly TicketStatus[];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CHANNELS = ['api', 'email', 'widget', 'chat', 'phone', 'import', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const AUTHOR_TYPES = ['customer', 'agent', 'assistant', 'system'] as const;
export type AuthorType = (typeof AUTHOR_TYPES)[number];

export const MESSAGE_VISIBILITIES = ['public', 'internal'] as const;
export type MessageVisibility = (typeof MESSAGE_VISIBILITIES)[number];

/** Who performed an event. The assistant never trains on events it caused. */
export const ACTOR_TYPES = ['customer', 'agent', 'assistant', 'system', 'integration'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const AGENT_ROLES = ['admin', 'agent'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** API key roles: admin (everything), agent (work tickets), ingest (create tickets, messages and customers only). */
export const API_KEY_ROLES = ['admin', 'agent', 'ingest'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export const AGENT_STATUSES = ['online', 'away', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const BILLING_STATES = ['active', 'trialing', 'past_due', 'cancelled', 'downgraded', 'none'] as const;
export type BillingState = (typeof BILLING_STATES)[number];

/** Event types of the append-only timeline (`noun.past_verb`). */
export const EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.status_changed',
  'ticket.reopened',
  'ticket.resolved',
  'ticket.closed',
  'ticket.handed_off',
  'ticket.priority_changed',
  'ticket.intent_changed',
  'ticket.tags_changed',
  'message.created',
  'assignee.changed',
  'team.changed',
  'ticket.routed',
  'ticket.merged',
  'sla.at_risk',
  'sla.breached',
  'outcome.recorded',
  'settings.changed',
  'model.updated',
  'model.update_rejected',
  'pipeline.completed',
  'pipeline.failed',
  'anomaly.detected',
  'bug_report.created',
  'bug_report.updated',
  'bug_report.closed',
  'model.retrained',
  'model.retrain_rejected',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Where the outbox delivers (src/channels): a signed webhook, a Slack incoming webhook, or an email through the relay.
 */
export const OUTBOX_CHANNELS = ['webhook', 'slack', 'email'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

/** An outbox delivery: waiting (or retrying), delivered, or dead (given up after the last attempt; replayable). */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
