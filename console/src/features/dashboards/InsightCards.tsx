/** The insight cards of the dashboards: each shows one report, or says in words why it is empty. */
import type { IntentLabel } from '../../../../src/domain/explain.js';
import type { Anomaly, BugReport, Health, Topics, Trends } from '../../lib/types.js';
import { ChartBox } from './ChartBox.js';
import { change, COLORS, money } from './format.js';

/** Tickets per day for the busiest intents, and how this week compares with the last. */
export function TrendsCard({ trends, label }: { trends: Trends; label: IntentLabel }) {
  return (
    <section className="card" aria-labelledby="d-trends">
      <h2 id="d-trends">Trends: tickets per day, by intent</h2>
      {trends.series.length === 0 ? (
        <p className="muted">No tickets in the period yet.</p>
      ) : (
        <>
          <ChartBox
            label="Tickets per day for the busiest intents"
            config={{
              type: 'line',
              data: {
                labels: trends.buckets.map((b) => new Date(b).toLocaleDateString()),
                datasets: trends.series.slice(0, 6).map((x, i) => ({
                  label: x.key === '(none)' ? 'Not recognised' : label(x.key),
                  data: x.counts,
                  borderColor: COLORS[i],
                  backgroundColor: COLORS[i],
                })),
              },
              options: { scales: { y: { min: 0, title: { display: true, text: 'tickets' } } } },
            }}
          />
          <ul className="plain">
            {trends.series.slice(0, 5).map((x) => (
              <li key={x.key}>
                <strong>{x.key === '(none)' ? 'Not recognised' : label(x.key)}</strong>{' '}
                <span className="muted">
                  {x.thisWeek} this week, {change(x.weekOverWeek)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Clusters of tickets, emerging ones marked. */
export function TopicsCard({ topics }: { topics: Topics }) {
  return (
    <section className="card" aria-labelledby="d-topics">
      <h2 id="d-topics">Topics</h2>
      {topics.data.length === 0 ? (
        <p className="muted">No topics yet: they form as tickets arrive.</p>
      ) : (
        <ul className="plain">
          {topics.data.slice(0, 8).map((t) => (
            <li key={t.id}>
              <strong>{t.label}</strong>
              {t.emerging && <span className="chip warn">emerging</span>}{' '}
              <span className="muted">
                {t.tickets} tickets · {t.thisWeek} this week, {change(t.weekOverWeek)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Unusual spikes of the last 7 days. */
export function SpikesCard({ anomalies, label }: { anomalies: Anomaly[]; label: IntentLabel }) {
  return (
    <section className="card" aria-labelledby="d-anom">
      <h2 id="d-anom">Spikes</h2>
      {anomalies.length === 0 ? (
        <p className="muted">No unusual spike in the last 7 days.</p>
      ) : (
        <ul className="plain">
          {anomalies.slice(0, 8).map((a) => (
            <li key={a.id}>
              <strong>{a.dimension === 'intent' ? label(a.key) : a.label}</strong>{' '}
              <span className="muted">
                {a.observed} tickets where about {Math.round(a.expected * 10) / 10} were expected,{' '}
                {new Date(a.windowStart).toLocaleString()} ·{' '}
                {a.pValue < 0.001 ? 'very unlikely by chance' : `chance ${(a.pValue * 100).toFixed(1)}%`} ·{' '}
                {a.ticketIds.length} tickets
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Accounts by health, with the revenue at risk and why. */
export function HealthCard({ health }: { health: Health[] }) {
  return (
    <section className="card" aria-labelledby="d-health">
      <h2 id="d-health">Customer health</h2>
      {health.length === 0 ? (
        <p className="muted">No accounts yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Account</th>
              <th>Health</th>
              <th>Revenue at risk</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {health.slice(0, 8).map((h) => (
              <tr key={h.accountId}>
                <td>
                  {h.name} <span className={`chip tier ${h.tier}`}>{h.tier}</span>
                </td>
                <td>
                  <span className={`chip ${h.risk === 'high' ? 'danger' : h.risk === 'medium' ? 'warn' : ''}`}>
                    {Math.round(h.score)}/100 · {h.risk} risk
                  </span>
                </td>
                <td>{money(h.revenueAtRisk)}/mo</td>
                <td className="muted">
                  {h.reasons
                    .slice(0, 2)
                    .map((r) => r.detail)
                    .join('; ') || 'no warning sign'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Bugs reported by several customers, with their tracker issue and who to notify. */
/** The chip of a bug report's status: an open one stands out. */
const statusChip = (status: BugReport['status']) => `chip ${status === 'open' ? 'warn' : ''}`;

export function BugReportsCard({ bugs }: { bugs: BugReport[] }) {
  return (
    <section className="card" aria-labelledby="d-bugs">
      <h2 id="d-bugs">Bug reports</h2>
      {bugs.length === 0 ? (
        <p className="muted">No bug reported by several customers yet.</p>
      ) : (
        <ul className="plain">
          {bugs.slice(0, 6).map((b) => (
            <li key={b.id}>
              <strong>{b.title}</strong> <span className={statusChip(b.status)}>{b.status}</span>{' '}
              {b.externalUrl ? (
                <a href={b.externalUrl} target="_blank" rel="noreferrer">
                  {b.externalKey ?? 'tracker issue'}
                </a>
              ) : (
                <span className="muted">not sent to a tracker</span>
              )}
              <div className="muted">
                {b.report.affected.customers.length} customers to notify (
                {b.report.affected.customers
                  .slice(0, 4)
                  .map((c) => c.name ?? c.email ?? 'unknown')
                  .join(', ')}
                ) · {money(b.report.affected.mrrAtRisk)}/mo at stake
                {b.lastError ? ` · last send failed: ${b.lastError}` : ''}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
