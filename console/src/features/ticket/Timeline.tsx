import { explainReason, type IntentLabel } from '../../../../src/domain/explain.js';
import type { TicketDetail } from '../../lib/types.js';

/** The ticket's last 30 events, with the reason of each in words. */
export function Timeline({ ticket, label }: { ticket: TicketDetail; label: IntentLabel }) {
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h3 id="timeline-title">Timeline</h3>
      <ol className="timeline">
        {ticket.timeline.slice(-30).map((e) => (
          <li key={e.id}>
            <span className="muted">{new Date(e.createdAt).toLocaleTimeString()}</span>{' '}
            {e.type.replace(/^[a-z_]+\./, (m) => (m === 'ticket.' ? '' : m)).replace(/_/g, ' ')}{' '}
            <span className="muted">by {e.actorType}</span>
            {typeof e.data.reason === 'string' && (
              <>
                {' '}
                —{' '}
                {explainReason(e.data.reason, {
                  intent: ticket.intent ?? null,
                  intentLabel: label,
                  detail: typeof e.data.detail === 'string' ? e.data.detail : null,
                })}
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
