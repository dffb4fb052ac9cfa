/**
 * One history ticket's life as the product records it, built in memory so that a week of the demo's past is
 * written in a few multi-row inserts: the lifecycle state machine moves its status (as the ticket services do), a
 * pipeline run's records and actions are applied as `applyActions` applies them, and each step appends the event
 * the product's operation would. Who did each step is kept (customer, assistant, agent, system): the learning and
 * metrics code reads exactly that. Pure: no I/O.
 */
import type { AuthorType, EventType, Priority, TicketStatus } from '../domain/enums.js';
import { AI_ANSWERED, DRAFT_PREFIX, HUMAN_REQUESTED } from '../domain/tags.js';
import { applyLifecycle, type LifecycleAction, type LifecycleState } from '../domain/ticket-lifecycle.js';
import type { TicketAction } from '../pipeline/types.js';
import type { DemoTicket } from './history.js';

/** Who did a step. */
export type Who = 'customer' | 'assistant' | 'agent' | 'system';

export interface TimelineMessage {
  author: Exclude<AuthorType, 'system'>;
  visibility: 'public' | 'internal';
  text: string;
  at: Date;
}

export interface TimelineEvent {
  type: EventType;
  by: Who;
  data: Record<string, unknown>;
  /** The index of the message it announces (`message.created`). */
  message?: number;
  at: Date;
}

/** A pipeline run as the history keeps it: its decision record, stage by stage, and the actions it asked for. */
export interface StagesRun {
  runId: string;
  records: { stage: string; ok: boolean; result: Record<string, unknown>; modelVersion: string | null }[];
  actions: TicketAction[];
}

export interface TimelineRecord {
  runId: string;
  stage: string;
  ok: boolean;
  result: Record<string, unknown>;
  modelVersion: string | null;
  at: Date;
}

/** A ticket's history: its final fields, messages, timeline and decision records. */
export class TicketTimeline {
  state: LifecycleState = {
    status: 'new',
    snoozedUntil: null,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    reopenCount: 0,
  };
  intent: string | null = null;
  intentConfidence: number | null = null;
  priority: Priority = 'normal';
  tags: string[];
  readonly createdAt: Date;
  readonly messages: TimelineMessage[] = [];
  readonly events: TimelineEvent[] = [];
  readonly records: TimelineRecord[] = [];
  at: Date;

  /** Opened by the customer's first message at `createdAt`; no step goes past `end` (the history's end). */
  constructor(
    ticket: Pick<DemoTicket, 'createdAt' | 'channel' | 'text' | 'tags'>,
    private readonly end: Date,
  ) {
    this.createdAt = ticket.createdAt;
    this.at = ticket.createdAt;
    this.tags = [...ticket.tags];
    this.event('ticket.created', 'customer', { channel: ticket.channel });
    this.message('customer', ticket.text);
  }

  /** The clock moves on by `ms` (never past the history's end). */
  later(ms: number): this {
    this.at = new Date(Math.max(this.at.getTime(), Math.min(this.at.getTime() + ms, this.end.getTime())));
    return this;
  }

  /** Whether the history's end is reached (later steps would all happen at once). */
  get ended(): boolean {
    return this.at.getTime() >= this.end.getTime();
  }

  event(type: EventType, by: Who, data: Record<string, unknown> = {}, message?: number): void {
    this.events.push({ type, by, data, at: this.at, ...(message !== undefined ? { message } : {}) });
  }

  private lifecycle(action: LifecycleAction, by: Who): void {
    const before = this.state;
    const { state, changed, reopened } = applyLifecycle(before, action, this.at);
    this.state = state;
    if (!changed) return;
    this.event('ticket.status_changed', by, { from: before.status, to: state.status });
    if (state.status === 'resolved') this.event('ticket.resolved', by);
    if (state.status === 'closed') this.event('ticket.closed', by);
    if (reopened) this.event('ticket.reopened', by, { reopenCount: state.reopenCount });
  }

  /** A message, moving the lifecycle as `addMessage` does (a customer's wakes or reopens, a public reply opens). */
  message(author: TimelineMessage['author'], text: string, visibility: TimelineMessage['visibility'] = 'public'): void {
    const by: Who = author;
    if (visibility === 'public')
      this.lifecycle({ type: author === 'customer' ? 'customer_message' : 'agent_reply' }, by);
    this.messages.push({ author, visibility, text, at: this.at });
    this.event('message.created', by, { authorType: author, visibility }, this.messages.length - 1);
  }

  setStatus(to: TicketStatus, by: Who): void {
    this.lifecycle({ type: 'set_status', to, snoozedUntil: null }, by);
  }

  /** A person sets the intent: a relabel, or a confirmation of the model's (then a human label), as `updateTicket`. */
  label(intent: string): void {
    if (intent !== this.intent) this.event('ticket.intent_changed', 'agent', { from: this.intent, to: intent });
    else if (this.intentConfidence !== null)
      this.event('ticket.intent_changed', 'agent', { from: intent, to: intent, confirmed: true });
    else return;
    this.intent = intent;
    this.intentConfidence = null;
  }

  /** "I need a human" from the customer, as `recordCustomerOutcome`. */
  askForHuman(): void {
    this.event('outcome.recorded', 'customer', {
      outcome: 'asked_for_human',
      aiAnswered: this.tags.includes(AI_ANSWERED),
    });
    this.tags = [...new Set([...this.tags, HUMAN_REQUESTED])];
    if (this.state.status === 'resolved') this.setStatus('open', 'customer');
    this.event('ticket.handed_off', 'customer', {
      reason: 'human_requested',
      detail: 'the customer asked for a human',
    });
  }

  private handOff(reason: string, detail: string): void {
    this.event('ticket.handed_off', 'assistant', { reason, detail });
    if (this.state.status === 'new') this.setStatus('open', 'assistant');
  }

  /** A pipeline run: its records, then its actions applied as the assistant (see `applyActions`). */
  applyRun(run: StagesRun): void {
    for (const r of run.records) this.records.push({ runId: run.runId, ...r, at: this.at });
    for (const action of run.actions) {
      switch (action.type) {
        case 'set_intent':
          // A person's label wins over the model's guess.
          if (this.intent && this.intentConfidence === null) break;
          if (this.intent !== action.intent)
            this.event('ticket.intent_changed', 'assistant', {
              from: this.intent,
              to: action.intent,
              confidence: action.confidence,
            });
          this.intent = action.intent;
          this.intentConfidence = action.confidence;
          break;
        case 'set_priority':
          if (this.priority === action.priority) break;
          this.event('ticket.priority_changed', 'assistant', { from: this.priority, to: action.priority });
          this.priority = action.priority;
          break;
        case 'add_tags':
          this.tags = [...new Set([...this.tags, ...action.tags])];
          break;
        case 'hand_off':
          this.handOff(action.reason, action.detail);
          break;
        case 'auto_resolve':
          this.message('assistant', action.text);
          this.setStatus('resolved', 'assistant');
          this.tags = [...new Set([...this.tags, AI_ANSWERED])];
          break;
        case 'draft':
          this.message('assistant', `${DRAFT_PREFIX}${action.text}`, 'internal');
          this.handOff('shadow_mode', 'the assistant drafted a reply for a human to approve');
          break;
        // Routing (who is on shift) and CRM syncs are not part of the demo's past.
        case 'assign':
        case 'sync_account':
          break;
      }
    }
  }

  /** When the last step happened. */
  get updatedAt(): Date {
    return this.events.at(-1)!.at;
  }

  get lastMessageAt(): Date {
    return this.messages.at(-1)!.at;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** What a customer writes back when the assistant's answer missed their question. */
export const MISSED_ANSWER = 'That does not answer my question.';

export interface PlayOptions {
  /** The history's end: nothing happens after it, and settled tickets are closed once quiet this long. */
  end: Date;
  closeAfterHours: number;
  rand: () => number;
  /** The pipeline once more, on the ticket as it now stands (the customer wrote back). */
  rerun: (timeline: TicketTimeline) => Promise<StagesRun>;
}

/**
 * Plays one history ticket after the pipeline's first run: what customers and agents do next follows from what
 * the assistant did and whether it understood the customer (its intent against the one a person gives). An answer
 * to the wrong question is mostly reopened or turned into a request for a human (a few go unnoticed); a right
 * one is sometimes confirmed, and one in ten comes back anyway. Handed-off work is labelled by the agent when the
 * assistant's intent was wrong (and often confirmed when right), answered, and resolved; settled tickets close after
 * the quiet period.
 */
export async function playTicket(row: DemoTicket, first: StagesRun, opts: PlayOptions): Promise<TicketTimeline> {
  const { rand } = opts;
  const between = (min: number, max: number) => min + Math.floor(rand() * (max - min));
  const t = new TicketTimeline(row, opts.end);
  t.later(between(1_000, 4_000)).applyRun(first);
  const answered = t.tags.includes(AI_ANSWERED);
  const right = t.intent === row.intent;
  let rating = right ? between(4, 6) : between(2, 4);
  if (answered) {
    const r = rand();
    if (right && r < 0.3) {
      t.later(between(2 * MINUTE, 2 * HOUR));
      t.event('outcome.recorded', 'customer', { outcome: 'confirmed_solved', aiAnswered: true });
      return finish(t, row, opts, rating);
    }
    if ((!right && r < 0.65) || (right && r > 0.9)) {
      t.later(between(20 * MINUTE, 8 * HOUR));
      t.message('customer', MISSED_ANSWER);
      const again = await opts.rerun(t);
      t.later(between(1_000, 4_000)).applyRun(again);
      rating = 2;
    } else if (!right && r < 0.9) {
      t.later(between(5 * MINUTE, 3 * HOUR)).askForHuman();
      rating = 2;
    } else return finish(t, row, opts, rating);
  }
  if (row.state === 'waiting') return t;
  t.later(between(15 * MINUTE, 6 * HOUR));
  if (t.intent !== row.intent || rand() < 0.5) t.label(row.intent);
  t.message('agent', row.reply);
  if (row.state !== 'settled') return t;
  t.setStatus('resolved', 'agent');
  if (row.comesBack) {
    t.later(between(HOUR, 30 * HOUR)).message('customer', 'That did not work, it still happens.');
    t.later(between(30 * MINUTE, 5 * HOUR)).message('agent', 'Sorry about that; fixed for good now.');
    t.setStatus('resolved', 'agent');
    rating = Math.min(rating, 3);
  }
  return finish(t, row, opts, rating);
}

/** A resolved ticket: sometimes rated (Globex, sliding toward churn, rates low), closed once quiet if settled. */
function finish(t: TicketTimeline, row: DemoTicket, opts: PlayOptions, rating: number): TicketTimeline {
  if (t.state.status !== 'resolved') return t;
  if (opts.rand() < 0.3) {
    t.later(Math.floor(opts.rand() * 12 * HOUR));
    const r = row.customer.accountExternalId === 'acc_globex' ? Math.min(rating, 2) : rating;
    t.event('outcome.recorded', 'customer', { outcome: 'csat', rating: r });
  }
  const closeAt = t.state.resolvedAt!.getTime() + opts.closeAfterHours * HOUR;
  if (row.state === 'settled' && closeAt < opts.end.getTime()) {
    t.later(closeAt - t.at.getTime());
    t.setStatus('closed', 'system');
  }
  return t;
}
