/** The insight cards of the dashboards: each shows one report, or says in words why it is empty. */
import type { ReactNode } from 'react';
import type { IntentLabel } from '../../../../src/domain/explain.js';
import { navigate } from '../../lib/router.js';
import type { Anomaly, BugReport, Health, Topics, Trends } from '../../lib/types.js';
import { filteredInboxHref } from '../inbox/views.js';
import { ChartBox } from './ChartBox.js';
import { change, COLORS, money } from './format.js';

/** A link to the inbox filtered to an insight's tickets (its chip leads back here). */
function InboxLink({ href, title, children }: { href: string; title: string; children: ReactNode }) {
  return (
    <a
      href={href}
      title={title}
      onClick={(e) => {
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

/** One series of a trends report: a key (an intent, a topic id), its label and its counts. */
type Series = Trends['series'][number];

/**
 * Tickets per day for the busiest intents or topics, and how this week compares with the last; each names its
 * series (`name`) and may link to its tickets (`href`).
 */
export function TrendsCard({
  trends,
  by,
  name,
  href,
}: {
  trends: Trends;
  by: 'intent' | 'topic';
  name: (s: Series) => string;
  href?: (s: Series) => string | null;
}) {
  const id = `d-trends-${by}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>Trends: tickets per day, by {by}</h2>
      {trends.series.length === 0 ? (
        <p className="muted">No tickets in the period yet.</p>
      ) : (
        <>
          <ChartBox
            label={`Tickets per day for the busiest ${by === 'intent' ? 'intents' : 'topics'}`}
            config={{
              type: 'line',
              data: {
                labels: trends.buckets.map((b) => new Date(b).toLocaleDateString()),
                datasets: trends.series.slice(0, 6).map((x, i) => ({
                  label: name(x),
                  data: x.counts,
                  borderColor: COLORS[i],
                  backgroundColor: COLORS[i],
                })),
              },
              options: { scales: { y: { min: 0, title: { display: true, text: 'tickets' } } } },
            }}
          />
          <ul className="plain">
            {trends.series.slice(0, 5).map((x) => {
              const to = href?.(x);
              return (
                <li key={x.key}>
                  <strong>
                    {to ? (
                      <InboxLink href={to} title={`The tickets of "${name(x)}" in the inbox`}>
                        {name(x)}
                      </InboxLink>
                    ) : (
                      name(x)
                    )}
                  </strong>{' '}
                  <span className="muted">
                    {x.thisWeek} this week, {change(x.weekOverWeek)}
                  </span>
                </li>
              );
            })}
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
                <InboxLink
                  href={filteredInboxHref({ topicId: t.id }, `Topic: ${t.label}`)}
                  title={`The tickets of the topic "${t.label}" in the inbox`}
                >
                  {t.tickets} tickets
                </InboxLink>{' '}
                · {t.thisWeek} this week, {change(t.weekOverWeek)}
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
          {anomalies.slice(0, 8).map((a) => {
            const name = a.dimension === 'intent' ? label(a.key) : a.label;
            const since = new Date(a.windowStart).toLocaleString();
            return (
              <li key={a.id}>
                <strong>{name}</strong>{' '}
                <span className="muted">
                  {a.observed} tickets where about {Math.round(a.expected * 10) / 10} were expected, {since} ·{' '}
                  {a.pValue < 0.001 ? 'very unlikely by chance' : `chance ${(a.pValue * 100).toFixed(1)}%`} ·{' '}
                  {a.ticketIds.length ? (
                    <InboxLink
                      href={filteredInboxHref({ ids: a.ticketIds }, `Spike: ${name} since ${since}`)}
                      title={`The tickets of the spike "${name}" in the inbox`}
                    >
                      {a.ticketIds.length} tickets
                    </InboxLink>
                  ) : (
                    'no ticket kept'
                  )}
                </span>
              </li>
            );
          })}
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
                  <InboxLink
                    href={filteredInboxHref({ accountId: h.accountId }, `Account: ${h.name}`)}
                    title={`The tickets of ${h.name} in the inbox`}
                  >
                    {h.name}
                  </InboxLink>{' '}
                  <span className={`chip tier ${h.tier}`}>{h.tier}</span>
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
/** A bug report's linked tickets, newest first (the inbox link keeps the newest when there are many). */
const newestFirst = (tickets: BugReport['report']['linkedTickets']) =>
  [...tickets].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

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
                ) · {money(b.report.affected.mrrAtRisk)}/mo at stake ·{' '}
                <InboxLink
                  href={filteredInboxHref(
                    { ids: newestFirst(b.report.linkedTickets).map((t) => t.id) },
                    `Bug report: ${b.title}`,
                  )}
                  title={`The tickets of the bug report "${b.title}" in the inbox`}
                >
                  {b.report.linkedTickets.length} linked tickets
                </InboxLink>
                {b.lastError ? ` · last send failed: ${b.lastError}` : ''}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
