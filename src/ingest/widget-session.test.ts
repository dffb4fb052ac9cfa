import { describe, expect, it } from 'vitest';
import { widgetState } from './widget-session.js';
import { expectedWait, stateNotice } from '../../widget/src/notices.js';

const now = new Date('2026-03-02T10:00:00Z');
const inMinutes = (m: number) => new Date(now.getTime() + m * 60_000).toISOString();

describe('what the widget tells the customer', () => {
  it('derives the state from the ticket', () => {
    const base = { status: 'new', awaitingFeedback: false, humanRequested: false, lastAuthor: 'customer' as const };
    expect(widgetState(base)).toBe('thinking');
    expect(widgetState({ ...base, humanRequested: true })).toBe('awaiting_person');
    expect(widgetState({ ...base, status: 'open' })).toBe('awaiting_person');
    expect(widgetState({ ...base, status: 'pending', lastAuthor: 'agent' })).toBe('replied');
    expect(widgetState({ ...base, status: 'resolved', awaitingFeedback: true, lastAuthor: 'assistant' })).toBe(
      'answered',
    );
    expect(widgetState({ ...base, status: 'resolved', lastAuthor: 'agent' })).toBe('resolved');
    expect(widgetState({ ...base, status: 'closed' })).toBe('closed');
  });

  it('says at once that a person will answer, with the wait the SLA promises', () => {
    expect(stateNotice({ state: 'awaiting_person', reopened: false, expectedReplyBy: inMinutes(118) }, now)!.text).toBe(
      'A person from our team will answer here, usually within about 2 hours. You can close this window; we keep ' +
        'the conversation.',
    );
    expect(
      stateNotice({ state: 'awaiting_person', reopened: true, expectedReplyBy: inMinutes(12) }, now)!.text,
    ).toMatch(/^Reopened\. A person .* within about 15 minutes\./);
    // Past due or no SLA: no promise of a time.
    expect(
      stateNotice({ state: 'awaiting_person', reopened: false, expectedReplyBy: inMinutes(-5) }, now)!.text,
    ).toMatch(/answer here as soon as possible\./);
    expect(stateNotice({ state: 'awaiting_person', reopened: false, expectedReplyBy: null }, now)!.text).toMatch(
      /as soon as possible/,
    );
  });

  it('shows resolved and closed, and nothing extra while an answer or a reply is on screen', () => {
    expect(stateNotice({ state: 'resolved', reopened: false, expectedReplyBy: null }, now)!.text).toMatch(
      /resolved.*reopens/,
    );
    expect(stateNotice({ state: 'closed', reopened: false, expectedReplyBy: null }, now)!.text).toMatch(
      /new conversation/,
    );
    expect(stateNotice({ state: 'answered', reopened: false, expectedReplyBy: null }, now)).toBeNull();
    expect(stateNotice({ state: 'replied', reopened: false, expectedReplyBy: null }, now)).toBeNull();
  });

  it('rounds waits to what a person reads', () => {
    expect(expectedWait(inMinutes(1), now)).toBe('within about 5 minutes');
    expect(expectedWait(inMinutes(42), now)).toBe('within about 45 minutes');
    expect(expectedWait(inMinutes(60), now)).toBe('within about 1 hour');
    expect(expectedWait(inMinutes(60 * 30), now)).toMatch(/^by /);
    expect(expectedWait('not a date', now)).toBeNull();
  });
});
