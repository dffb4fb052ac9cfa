/**
 * An imported ticket's history replayed in memory: the ticket's final state, its messages and its timeline,
 * exactly as opening it, adding its messages and setting its intent and status one after another through the
 * ticket services would leave them (the same lifecycle state machine decides), but without a statement per
 * step, so that a chunk of tickets is written in a few multi-row inserts. Pure: no I/O.
 */
import type { EventType, TicketStatus } from '../domain/enums.js';
import { applyLifecycle, type LifecycleAction, type LifecycleState } from '../domain/ticket-lifecycle.js';
import type { TicketCreate } from '../domain/schemas.js';

export interface HistoryMessage {
  author: 'customer' | 'agent';
  text: string;
  html: string | null;
  at: Date;
}

export interface HistoryEvent {
  type: EventType;
  /** Who caused it: the importing integration, or the ticket's customer (its first message). */
  by: 'importer' | 'customer';
  /** The index of the message it announces (`message.created`). */
  message?: number;
  data: Record<string, unknown>;
  at: Date;
}

export interface ImportedHistory {
  state: LifecycleState;
  intent: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastMessageAt: Date;
  messages: HistoryMessage[];
  events: HistoryEvent[];
}

export interface HistoryInput {
  create: Pick<TicketCreate, 'channel'>;
  /** The first customer message's checked body. */
  body: { text: string; html: string | null };
  createdAt: Date;
  later: { author: 'customer' | 'agent'; text: string; createdAt?: Date | undefined }[];
  status?: TicketStatus | undefined;
  intent?: string | null | undefined;
}

/** The status changes that bring a ticket to its imported status (`closed` goes through `resolved`). */
function statusSteps(from: TicketStatus, to: TicketStatus | undefined): TicketStatus[] {
  return !to || from === to ? [] : to === 'closed' && from !== 'resolved' ? ['resolved', 'closed'] : [to];
}

const STATUS_EVENTS: Partial<Record<TicketStatus, EventType>> = {
  resolved: 'ticket.resolved',
  closed: 'ticket.closed',
};

/**
 * Replays a ticket's import: opened at `createdAt` by its customer's first message, then each later message
 * (undated ones 1 ms after the one before, to keep their order), then its intent and its status at the time of
 * the last message. Throws what the ticket services would (e.g. `invalid_transition`).
 */
export function replayImportedHistory(input: HistoryInput): ImportedHistory {
  let state: LifecycleState = {
    status: 'new',
    snoozedUntil: null,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    reopenCount: 0,
  };
  let at = input.createdAt;
  const messages: HistoryMessage[] = [{ author: 'customer', text: input.body.text, html: input.body.html, at }];
  const events: HistoryEvent[] = [
    { type: 'ticket.created', by: 'importer', data: { channel: input.create.channel }, at },
    { type: 'message.created', by: 'customer', message: 0, data: { authorType: 'customer', visibility: 'public' }, at },
  ];
  const apply = (action: LifecycleAction) => {
    const before = state;
    const { state: next, changed, reopened } = applyLifecycle(state, action, at);
    state = next;
    if (!changed) return;
    events.push({ type: 'ticket.status_changed', by: 'importer', data: { from: before.status, to: next.status }, at });
    const extra = STATUS_EVENTS[next.status];
    if (extra) events.push({ type: extra, by: 'importer', data: {}, at });
    if (reopened) events.push({ type: 'ticket.reopened', by: 'importer', data: { reopenCount: next.reopenCount }, at });
  };
  for (const m of input.later) {
    at = m.createdAt ?? new Date(at.getTime() + 1);
    apply(m.author === 'customer' ? { type: 'customer_message' } : { type: 'agent_reply' });
    messages.push({ author: m.author, text: m.text, html: null, at });
    events.push({
      type: 'message.created',
      by: 'importer',
      message: messages.length - 1,
      data: { authorType: m.author, visibility: 'public' },
      at,
    });
  }
  const lastMessageAt = at;
  const intent = input.intent ?? null;
  if (intent) events.push({ type: 'ticket.intent_changed', by: 'importer', data: { from: null, to: intent }, at });
  for (const to of statusSteps(state.status, input.status)) apply({ type: 'set_status', to, snoozedUntil: null });
  return { state, intent, createdAt: input.createdAt, updatedAt: events.at(-1)!.at, lastMessageAt, messages, events };
}
