import type { IntentLabel } from '../../../../src/domain/explain.js';
import type { TicketDetail } from '../../lib/types.js';
import { StageSummary } from './StageSummary.js';

/** Every pipeline run on the ticket, latest first: each stage's outcome in words, its raw result on demand. */
export function DecisionRecord({ ticket, label }: { ticket: TicketDetail; label: IntentLabel }) {
  const runs = [...new Set(ticket.decisions.map((d) => d.runId))].reverse();
  return (
    <section className="card" aria-labelledby="decisions-title">
      <h3 id="decisions-title">Decision record</h3>
      {runs.length === 0 && <p className="muted">The assistant has not looked at this ticket yet.</p>}
      {runs.map((run, i) => (
        <details key={run} open={i === 0}>
          <summary>
            Run {runs.length - i}
            {i === 0 ? ' (latest)' : ''}
          </summary>
          <ol className="stages">
            {ticket.decisions
              .filter((d) => d.runId === run)
              .map((d) => (
                <li key={d.id} className={d.ok ? 'ok' : 'failed'}>
                  <strong>{d.stage}</strong> {d.ok ? '' : '✗ failed'}{' '}
                  <span className="muted">
                    {d.modelVersion ?? ''} {Math.round(d.durationMs)} ms
                  </span>
                  <StageSummary
                    stage={d.stage}
                    result={d.result as Record<string, unknown>}
                    label={label}
                    intent={ticket.intent ?? null}
                  />
                  <details>
                    <summary>details</summary>
                    <pre>{JSON.stringify(d.result, null, 2)}</pre>
                  </details>
                </li>
              ))}
          </ol>
        </details>
      ))}
    </section>
  );
}
