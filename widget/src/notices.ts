/** What the widget tells the customer about their ticket's state: plain functions of the ticket and the time. */

/** The server's view of what the customer waits for (`WidgetTicketSchema` in src/services/widget.ts). */
export interface TicketState {
  state: 'thinking' | 'awaiting_person' | 'answered' | 'replied' | 'resolved' | 'closed';
  reopened: boolean;
  expectedReplyBy: string | null;
}

/** "within about 20 minutes", "within about 3 hours", "by Tuesday 09:00" — or null when the time has passed. */
export function expectedWait(dueIso: string | null, now: Date): string | null {
  if (!dueIso) return null;
  const due = new Date(dueIso);
  const minutes = Math.round((due.getTime() - now.getTime()) / 60_000);
  if (!Number.isFinite(minutes) || minutes <= 0) return null;
  if (minutes < 60) return `within about ${Math.max(5, Math.ceil(minutes / 5) * 5)} minutes`;
  if (minutes < 24 * 60) {
    const hours = Math.round(minutes / 60);
    return `within about ${hours} hour${hours === 1 ? '' : 's'}`;
  }
  return `by ${due.toLocaleString(undefined, { weekday: 'long', hour: '2-digit', minute: '2-digit' })}`;
}

/** The line that tells the customer what happens next, so the chat never goes silent. */
export function stateNotice(t: TicketState, now: Date): { cls: string; who: string; text: string } | null {
  switch (t.state) {
    case 'thinking':
      return {
        cls: 'assistant pending',
        who: 'Assistant',
        text: t.reopened ? 'Reopened: looking at your message…' : 'Thinking…',
      };
    case 'awaiting_person': {
      const wait = expectedWait(t.expectedReplyBy, now);
      const when = wait ? `, usually ${wait}` : ' as soon as possible';
      return {
        cls: 'system handoff',
        who: 'Support',
        text:
          `${t.reopened ? 'Reopened. ' : ''}A person from our team will answer here${when}. You can close ` +
          `this window; we keep the conversation.`,
      };
    }
    case 'resolved':
      return {
        cls: 'system resolved',
        who: 'Support',
        text: 'This conversation is resolved. Write below if you need anything else; it reopens.',
      };
    case 'closed':
      return {
        cls: 'system resolved',
        who: 'Support',
        text: 'This conversation is closed. A new message starts a new conversation.',
      };
    default:
      return null;
  }
}
