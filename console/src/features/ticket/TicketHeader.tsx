import type { Agent, TicketDetail } from '../../lib/types.js';
import type { IntentLabel } from '../../../../src/domain/explain.js';
import { pct } from './format.js';

/** Subject, priority, status, channel, customer, intent and assignee. */
export function TicketHeader({
  ticket,
  agents,
  label,
  onClose,
}: {
  ticket: TicketDetail;
  agents: Agent[];
  label: IntentLabel;
  onClose: () => void;
}) {
  return (
    <header className="ticket-head">
      <button type="button" className="link back" onClick={onClose} aria-label="Back to the list">
        ←
      </button>
      <div>
        <h2 id="ticket-title">{ticket.subject}</h2>
        <p className="muted">
          <span className={`prio ${ticket.priority}`}>{ticket.priority}</span> {ticket.status} · {ticket.channel} ·{' '}
          {ticket.customer?.name ?? ticket.customer?.email ?? 'unknown customer'}
          {ticket.intent && (
            <>
              {' '}
              · intent <strong>{label(ticket.intent)}</strong>{' '}
              {ticket.intentConfidence != null && `(${pct(ticket.intentConfidence)})`}
            </>
          )}
          {ticket.assigneeId && <> · assigned to {agents.find((a) => a.id === ticket.assigneeId)?.name ?? 'someone'}</>}
        </p>
      </div>
    </header>
  );
}
