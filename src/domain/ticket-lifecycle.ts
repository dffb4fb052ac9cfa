import { DeskmindError } from './errors.js';
import type { TicketStatus } from './enums.js';

/**
 * The ticket lifecycle as an explicit state machine.
 *
 * - `new` → open | pending | snoozed | resolved
 * - `open` → pending | snoozed | resolved
 * - `pending` → open | snoozed | resolved
 * - `snoozed` → open | pending | resolved
 * - `resolved` → open (a reopen) | closed
 * - `closed` is final: a customer writing again starts a new ticket.
 */
export const STATUS_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'snoozed', 'resolved'],
  open: ['pending', 'snoozed', 'resolved'],
  pending: ['open', 'snoozed', 'resolved'],
  snoozed: ['open', 'pending', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

/** What can happen to a ticket. */
export type LifecycleAction =
  | { type: 'set_status'; to: TicketStatus; snoozedUntil?: Date | null }
  | { type: 'customer_message' }
  | { type: 'agent_reply' }
  | { type: 'snooze_expired' }
  | { type: 'quiet_period_elapsed' };

/** The lifecycle fields of a ticket. */
export interface LifecycleState {
  status: TicketStatus;
  snoozedUntil: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  reopenCount: number;
}

/** The outcome of applying an action: the new state, and whether the status changed or the ticket reopened. */
export interface LifecycleResult {
  state: LifecycleState;
  changed: boolean;
  reopened: boolean;
}

/** True when `from → to` is a legal status change. */
export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

function moveTo(state: LifecycleState, to: TicketStatus, now: Date, snoozedUntil: Date | null = null): LifecycleResult {
  if (state.status === to && to !== 'snoozed') return { state, changed: false, reopened: false };
  if (state.status !== to && !canTransition(state.status, to)) {
    if (state.status === 'closed') throw new DeskmindError('ticket_closed');
    throw new DeskmindError('invalid_transition', `A ${state.status} ticket cannot become ${to}`);
  }
  if (to === 'snoozed' && (!snoozedUntil || snoozedUntil.getTime() <= now.getTime())) {
    throw new DeskmindError('validation_failed', 'Snoozing needs snoozedUntil in the future', {
      issues: [{ path: 'snoozedUntil', message: 'required, in the future' }],
    });
  }
  const reopened = state.status === 'resolved' && to === 'open';
  const next: LifecycleState = {
    ...state,
    status: to,
    snoozedUntil: to === 'snoozed' ? snoozedUntil : null,
    resolvedAt: to === 'resolved' ? now : reopened ? null : state.resolvedAt,
    closedAt: to === 'closed' ? now : state.closedAt,
    reopenCount: state.reopenCount + (reopened ? 1 : 0),
  };
  return { state: next, changed: state.status !== to || to === 'snoozed', reopened };
}

/**
 * Applies an action to a ticket's lifecycle state, or throws `invalid_transition` / `ticket_closed`.
 *
 * @example
 * applyLifecycle(resolvedTicket, { type: 'customer_message' }, new Date()) // → open, reopened: true
 */
export function applyLifecycle(state: LifecycleState, action: LifecycleAction, now: Date): LifecycleResult {
  switch (action.type) {
    case 'set_status':
      return moveTo(state, action.to, now, action.snoozedUntil ?? null);
    case 'customer_message':
      if (state.status === 'closed') throw new DeskmindError('ticket_closed');
      // A customer writing wakes a pending or snoozed ticket and reopens a resolved one.
      if (state.status === 'new' || state.status === 'open') return { state, changed: false, reopened: false };
      return moveTo(state, 'open', now);
    case 'agent_reply': {
      if (state.status === 'closed') throw new DeskmindError('ticket_closed');
      const withResponse = { ...state, firstResponseAt: state.firstResponseAt ?? now };
      if (state.status === 'new') return moveTo(withResponse, 'open', now);
      return { state: withResponse, changed: false, reopened: false };
    }
    case 'snooze_expired':
      if (state.status !== 'snoozed') return { state, changed: false, reopened: false };
      return moveTo(state, 'open', now);
    case 'quiet_period_elapsed':
      if (state.status !== 'resolved') return { state, changed: false, reopened: false };
      return moveTo(state, 'closed', now);
  }
}
