import { describe, expect, it } from 'vitest';
import { DeskmindError } from './errors.js';
import { TICKET_STATUSES } from './enums.js';
import { applyLifecycle, canTransition, STATUS_TRANSITIONS, type LifecycleState } from './ticket-lifecycle.js';

const now = new Date('2026-06-01T10:00:00Z');
const state = (over: Partial<LifecycleState> = {}): LifecycleState => ({
  status: 'new',
  snoozedUntil: null,
  firstResponseAt: null,
  resolvedAt: null,
  closedAt: null,
  reopenCount: 0,
  ...over,
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof DeskmindError ? err.code : 'other';
  }
  return null;
};

describe('ticket lifecycle', () => {
  it('allows exactly the listed transitions', () => {
    for (const from of TICKET_STATUSES) {
      for (const to of TICKET_STATUSES) {
        if (from === to) continue;
        const allowed = STATUS_TRANSITIONS[from].includes(to);
        expect(canTransition(from, to)).toBe(allowed);
        const snoozedUntil = new Date(now.getTime() + 3_600_000);
        const code = codeOf(() =>
          applyLifecycle(state({ status: from }), { type: 'set_status', to, snoozedUntil }, now),
        );
        expect(code, `${from} → ${to}`).toBe(
          allowed ? null : from === 'closed' ? 'ticket_closed' : 'invalid_transition',
        );
      }
    }
  });

  it('reopens a resolved ticket on a customer message and counts it', () => {
    const r = applyLifecycle(state({ status: 'resolved', resolvedAt: now }), { type: 'customer_message' }, now);
    expect(r).toMatchObject({
      changed: true,
      reopened: true,
      state: { status: 'open', reopenCount: 1, resolvedAt: null },
    });
  });

  it('wakes pending and snoozed tickets on a customer message', () => {
    expect(applyLifecycle(state({ status: 'pending' }), { type: 'customer_message' }, now).state.status).toBe('open');
    const snoozed = state({ status: 'snoozed', snoozedUntil: new Date(now.getTime() + 1000) });
    expect(applyLifecycle(snoozed, { type: 'customer_message' }, now).state).toMatchObject({
      status: 'open',
      snoozedUntil: null,
    });
  });

  it('refuses messages on closed tickets', () => {
    expect(codeOf(() => applyLifecycle(state({ status: 'closed' }), { type: 'customer_message' }, now))).toBe(
      'ticket_closed',
    );
    expect(codeOf(() => applyLifecycle(state({ status: 'closed' }), { type: 'agent_reply' }, now))).toBe(
      'ticket_closed',
    );
  });

  it('records the first response once and opens a new ticket', () => {
    const first = applyLifecycle(state(), { type: 'agent_reply' }, now);
    expect(first.state).toMatchObject({ status: 'open', firstResponseAt: now });
    const later = applyLifecycle(first.state, { type: 'agent_reply' }, new Date(now.getTime() + 5000));
    expect(later.state.firstResponseAt).toEqual(now);
  });

  it('needs a future snooze time', () => {
    expect(codeOf(() => applyLifecycle(state({ status: 'open' }), { type: 'set_status', to: 'snoozed' }, now))).toBe(
      'validation_failed',
    );
    expect(
      codeOf(() =>
        applyLifecycle(
          state({ status: 'open' }),
          { type: 'set_status', to: 'snoozed', snoozedUntil: new Date(now.getTime() - 1) },
          now,
        ),
      ),
    ).toBe('validation_failed');
  });

  it('closes resolved tickets after the quiet period and wakes expired snoozes', () => {
    expect(
      applyLifecycle(state({ status: 'resolved', resolvedAt: now }), { type: 'quiet_period_elapsed' }, now).state,
    ).toMatchObject({ status: 'closed', closedAt: now });
    expect(applyLifecycle(state({ status: 'open' }), { type: 'quiet_period_elapsed' }, now).changed).toBe(false);
    expect(
      applyLifecycle(state({ status: 'snoozed', snoozedUntil: now }), { type: 'snooze_expired' }, now).state.status,
    ).toBe('open');
  });

  it('treats setting the same status as a no-op', () => {
    expect(applyLifecycle(state({ status: 'open' }), { type: 'set_status', to: 'open' }, now).changed).toBe(false);
  });
});
