import { api } from '../../lib/api.js';
import { useIntentLabels } from '../../lib/labels.js';
import { useResource } from '../../lib/useResource.js';
import type { Agent, Macro, Me, Team } from '../../lib/types.js';
import { Conversation } from './Conversation.js';
import { DecisionRecord } from './DecisionRecord.js';
import { DRAFT_PREFIX, tomorrowNine } from './format.js';
import { HandoffPacket } from './HandoffPacket.js';
import { HandoffVerdict } from './HandoffVerdict.js';
import { ReplyBox } from './ReplyBox.js';
import { TicketHeader } from './TicketHeader.js';
import { TicketToolbar } from './TicketToolbar.js';
import { Timeline } from './Timeline.js';
import { useReply } from './useReply.js';
import { useTicket } from './useTicket.js';
import { useTicketActions } from './useTicketActions.js';
import { useTicketShortcuts } from './useTicketShortcuts.js';

/** One ticket: conversation, handoff packet, decision record, and every action an agent takes on it. */
export function TicketView({
  id,
  me,
  onClose,
  onChanged,
}: {
  id: string;
  me: Me;
  onClose: () => void;
  onChanged: () => void;
}) {
  const state = useTicket(id);
  const { ticket, packet, error } = state;
  const actions = useTicketActions(id, state, onChanged, me.agent?.id ?? null);
  const agents = useResource<{ data: Agent[] }>('/agents').data?.data ?? [];
  const teams = useResource<{ data: Team[] }>('/teams').data?.data ?? [];
  const macros = useResource<{ data: Macro[] }>('/macros').data?.data ?? [];
  const reply = useReply();
  const label = useIntentLabels();

  const send = () => {
    if (!reply.text.trim()) return;
    void actions.act(reply.internal ? 'Note added' : 'Reply sent', async () => {
      await api('POST', `/tickets/${id}/messages`, {
        text: reply.text,
        visibility: reply.internal ? 'internal' : 'public',
      });
      reply.setText('');
    });
  };
  const draft = [...(ticket?.messages ?? [])]
    .reverse()
    .find((m) => m.authorType === 'assistant' && m.visibility === 'internal' && m.text.startsWith(DRAFT_PREFIX));
  const suggested = packet?.suggestedReply?.text ?? (draft ? draft.text.slice(DRAFT_PREFIX.length) : null);
  useTicketShortcuts(reply.ref, send, {
    r: () => reply.focus(false),
    n: () => reply.focus(true),
    e: () => void actions.resolve(),
    c: () => void actions.claim(),
    s: () => void actions.snooze('Snoozed until tomorrow 9:00', tomorrowNine()),
    u: () => {
      if (suggested) {
        reply.setText(suggested);
        reply.focus();
      }
    },
    Escape: onClose,
  });

  if (error && !ticket)
    return (
      <section className="ticket">
        <p role="alert" className="error">
          {error}
        </p>
      </section>
    );
  if (!ticket)
    return (
      <section className="ticket">
        <p className="muted">Loading…</p>
      </section>
    );
  const approveDraft = () =>
    void actions.act('Draft approved and sent', () =>
      api('POST', `/tickets/${id}/draft/approve`, reply.text.trim() ? { text: reply.text } : {}),
    );
  return (
    <section className="ticket" aria-labelledby="ticket-title">
      <TicketHeader ticket={ticket} agents={agents} label={label} onClose={onClose} />
      {actions.notice && (
        <p role="status" className="notice">
          {actions.notice}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <TicketToolbar ticket={ticket} packet={packet} me={me} agents={agents} teams={teams} actions={actions} />
      <div className="ticket-body">
        <div className="conversation">
          <h3>Conversation</h3>
          <Conversation ticket={ticket} agents={agents} />
          <ReplyBox
            ticketId={id}
            reply={reply}
            macros={macros}
            suggested={suggested}
            onApproveDraft={draft ? approveDraft : undefined}
            onSend={send}
            onError={state.setError}
          />
        </div>
        <aside className="side">
          {packet && (
            <HandoffPacket packet={packet} label={label}>
              {ticket.timeline.some((e) => e.type === 'ticket.handed_off') && (
                <HandoffVerdict ticketId={id} packet={packet} me={me} />
              )}
            </HandoffPacket>
          )}
          <DecisionRecord ticket={ticket} label={label} />
          <Timeline ticket={ticket} label={label} />
        </aside>
      </div>
    </section>
  );
}
