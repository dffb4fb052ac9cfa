import { explainReason, type IntentLabel, type Verdict } from '../../../../src/domain/explain.js';
import type { TicketDetail } from '../../lib/types.js';

/** The guardrail verdicts of the ticket's latest decision (its decide stage's checks), as the handoff packet reads. */
export function latestChecks(ticket: Pick<TicketDetail, 'decisions'>): Verdict[] {
  const decide = ticket.decisions.findLast((d) => d.stage === 'decide' && d.ok);
  return Array.isArray(decide?.result.checks) ? (decide.result.checks as Verdict[]) : [];
}

/** The ticket's last 30 events, with the reason of each in words (a guardrail's with its stored verdict). */
export function Timeline({ ticket, label }: { ticket: TicketDetail; label: IntentLabel }) {
  const checks = latestChecks(ticket);
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h3 id="timeline-title">Timeline</h3>
      <ol className="timeline">
        {ticket.timeline.slice(-30).map((e) => (
          <li key={e.id}>
            <span className="muted">{new Date(e.createdAt).toLocaleTimeString()}</span>{' '}
            <span title={e.type}>{e.type.replace(/^ticket\./, '').replace(/[._]/g, ' ')}</span>{' '}
            <span className="muted">by {e.actorType}</span>
            {typeof e.data.reason === 'string' && (
              <>
                {' '}
                —{' '}
                <span title={e.data.reason}>
                  {explainReason(e.data.reason, {
                    checks,
                    intent: ticket.intent ?? null,
                    intentLabel: label,
                    detail: typeof e.data.detail === 'string' ? e.data.detail : null,
                  })}
                </span>
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
