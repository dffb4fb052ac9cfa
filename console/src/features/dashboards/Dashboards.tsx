import { useEffect, useRef, useState } from 'react';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { api, errorText } from '../../lib/api.js';
import type { LearningReport, QualityReport } from '../../lib/types.js';
import type { AccountHealthSchema } from '../../../../src/insights/health.js';
import type { AnomalySchema } from '../../../../src/insights/anomalies.js';
import type { BugReportSchema } from '../../../../src/insights/bug-reports.js';
import type { TopicsReportSchema } from '../../../../src/insights/topics.js';
import type { TrendsReportSchema } from '../../../../src/insights/trends.js';
import type { z } from 'zod';
import { useIntentLabels } from '../../lib/labels.js';
import { humanize } from '../../../../src/domain/explain.js';

type Topics = z.input<typeof TopicsReportSchema>;
type Trends = z.input<typeof TrendsReportSchema>;
type Anomaly = z.input<typeof AnomalySchema>;
type Health = z.input<typeof AccountHealthSchema>;
type BugReport = z.input<typeof BugReportSchema>;
interface Insights { topics?: Topics; trends?: Trends; anomalies?: { data: Anomaly[] }; health?: { data: Health[] }; bugs?: { data: BugReport[] } }

Chart.register(...registerables);

function ChartBox({ config, label }: { config: ChartConfiguration; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } });
    return () => chart.destroy();
  }, [config]);
  return <div className="chart"><canvas ref={ref} role="img" aria-label={label} /></div>;
}

const pct = (n: number | null | undefined) => (typeof n === 'number' ? Math.round(n * 1000) / 10 : null);
const INSIGHTS: [keyof Insights, string][] = [['topics', '/insights/topics'], ['trends', '/insights/trends?by=intent'], ['anomalies', '/insights/anomalies'], ['health', '/insights/health'], ['bugs', '/insights/bug-reports']];
const money = (n: number) => `$${Math.round(n).toLocaleString()}`;
const change = (x: number | null) => (x == null ? 'new this week' : `${x >= 0 ? '+' : '−'}${Math.abs(Math.round(x * 100))}% vs last week`);
const COLORS = ['#1d4ed8', '#047857', '#b45309', '#7c3aed', '#be123c', '#0e7490'];

/** Resolution vs deflection, learning velocity, volume by intent, SLA compliance, and insights when available. */
export function Dashboards() {
  const [weeks, setWeeks] = useState<QualityReport | null>(null);
  const [intents, setIntents] = useState<QualityReport | null>(null);
  const [learning, setLearning] = useState<LearningReport | null>(null);
  const [compliance, setCompliance] = useState<Record<string, unknown> | null>(null);
  const [insights, setInsights] = useState<Insights>({});
  const label = useIntentLabels();
  const [error, setError] = useState('');

  useEffect(() => {
    const from = new Date(Date.now() - 84 * 86_400_000).toISOString();
    Promise.all([
      api<QualityReport>('GET', `/metrics/quality?groupBy=week&from=${encodeURIComponent(from)}`).then(setWeeks),
      api<QualityReport>('GET', `/metrics/quality?groupBy=intent&from=${encodeURIComponent(from)}`).then(setIntents),
      api<LearningReport>('GET', `/metrics/learning?from=${encodeURIComponent(from)}`).then(setLearning),
      api<Record<string, unknown>>('GET', '/sla/compliance').then(setCompliance).catch(() => undefined),
    ]).catch((err) => setError(errorText(err)));
    // Insights are optional: a panel appears for each endpoint that answers.
    for (const [key, path] of INSIGHTS) api('GET', path).then((data) => setInsights((xs) => ({ ...xs, [key]: data })), () => undefined);
  }, []);

  const total = weeks?.total;
  return (
    <main className="dashboards">
      <h1>Dashboards</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {total && (
        <div className="kpis">
          <div className="kpi"><span>Resolution rate</span><strong>{pct(total.resolutionRate) ?? '—'}%</strong><small>answers that held, over all tickets</small></div>
          <div className="kpi"><span>Deflection</span><strong>{pct(total.deflectionRate) ?? '—'}%</strong><small>answered by the AI, whatever happened next</small></div>
          <div className="kpi"><span>Escalation rate</span><strong>{pct(total.escalationRate) ?? '—'}%</strong></div>
          <div className="kpi"><span>Reopen rate</span><strong>{pct(total.reopenRate) ?? '—'}%</strong></div>
          <div className="kpi"><span>Median first response</span><strong>{total.medianFirstResponseMinutes != null ? `${Math.round(total.medianFirstResponseMinutes)} min` : '—'}</strong></div>
          <div className="kpi"><span>CSAT</span><strong>{total.csat.average?.toFixed(2) ?? '—'}</strong><small>{total.csat.count} ratings</small></div>
        </div>
      )}
      <div className="grid">
        <section className="card" aria-labelledby="d-res">
          <h2 id="d-res">Resolution vs deflection, by week</h2>
          {weeks && <ChartBox label="Resolution and deflection rates per week" config={{
            type: 'line',
            data: { labels: weeks.groups.map((g) => g.key ?? ''), datasets: [
              { label: 'Resolution %', data: weeks.groups.map((g) => pct(g.resolutionRate)), borderColor: '#047857', backgroundColor: '#047857' },
              { label: 'Deflection %', data: weeks.groups.map((g) => pct(g.deflectionRate)), borderColor: '#1d4ed8', backgroundColor: '#1d4ed8', borderDash: [6, 4] },
            ] },
            options: { scales: { y: { min: 0, max: 100 } } },
          }} />}
        </section>
        <section className="card" aria-labelledby="d-learn">
          <h2 id="d-learn">Learning velocity: intent accuracy per week</h2>
          {learning && <ChartBox label="Intent accuracy against human labels per week" config={{
            type: 'line',
            data: { labels: learning.intentAccuracy.weeks.map((w) => w.week), datasets: [
              { label: 'Accuracy %', data: learning.intentAccuracy.weeks.map((w) => pct(w.accuracy)), borderColor: '#7c3aed', backgroundColor: '#7c3aed' },
              { label: 'Labels', data: learning.intentAccuracy.weeks.map((w) => w.labelled), type: 'bar', backgroundColor: '#c4b5fd', yAxisID: 'n' },
            ] },
            options: { scales: { y: { min: 0, max: 100 }, n: { position: 'right', grid: { drawOnChartArea: false } } } },
          } as ChartConfiguration} />}
          {learning && <p className="muted">{learning.models.length} model versions · overall {pct(learning.intentAccuracy.accuracy) ?? '—'}% on {learning.intentAccuracy.labelled} human labels</p>}
        </section>
        <section className="card" aria-labelledby="d-vol">
          <h2 id="d-vol">Volume by intent</h2>
          {intents && <ChartBox label="Tickets per intent" config={{
            type: 'bar',
            data: { labels: intents.groups.map((g) => (g.key ? label(g.key) : 'Not recognised')), datasets: [
              { label: 'Tickets', data: intents.groups.map((g) => g.tickets), backgroundColor: '#1d4ed8' },
              { label: 'Resolved by AI', data: intents.groups.map((g) => g.aiResolved), backgroundColor: '#047857' },
            ] },
            options: { indexAxis: 'y' },
          }} />}
        </section>
        {compliance && (
          <section className="card" aria-labelledby="d-sla">
            <h2 id="d-sla">SLA compliance</h2>
            <ComplianceTable data={compliance} />
          </section>
        )}
        {insights.trends && (
          <section className="card" aria-labelledby="d-trends">
            <h2 id="d-trends">Trends: tickets per day, by intent</h2>
            {insights.trends.series.length === 0 ? <p className="muted">No tickets in the period yet.</p> : (
              <>
                <ChartBox label="Tickets per day for the busiest intents" config={{
                  type: 'line',
                  data: { labels: insights.trends.buckets.map((b) => new Date(b).toLocaleDateString()), datasets: insights.trends.series.slice(0, 6).map((x, i) => ({ label: x.key === '(none)' ? 'Not recognised' : label(x.key), data: x.counts, borderColor: COLORS[i], backgroundColor: COLORS[i] })) },
                  options: { scales: { y: { min: 0, title: { display: true, text: 'tickets' } } } },
                }} />
                <ul className="plain">{insights.trends.series.slice(0, 5).map((x) => <li key={x.key}><strong>{x.key === '(none)' ? 'Not recognised' : label(x.key)}</strong> <span className="muted">{x.thisWeek} this week, {change(x.weekOverWeek)}</span></li>)}</ul>
              </>
            )}
          </section>
        )}
        {insights.topics && (
          <section className="card" aria-labelledby="d-topics">
            <h2 id="d-topics">Topics</h2>
            {insights.topics.data.length === 0 ? <p className="muted">No topics yet: they form as tickets arrive.</p> : (
              <ul className="plain">{insights.topics.data.slice(0, 8).map((t) => (
                <li key={t.id}><strong>{t.label}</strong>{t.emerging && <span className="chip warn">emerging</span>} <span className="muted">{t.tickets} tickets · {t.thisWeek} this week, {change(t.weekOverWeek)}</span></li>
              ))}</ul>
            )}
          </section>
        )}
        {insights.anomalies && (
          <section className="card" aria-labelledby="d-anom">
            <h2 id="d-anom">Spikes</h2>
            {insights.anomalies.data.length === 0 ? <p className="muted">No unusual spike in the last 7 days.</p> : (
              <ul className="plain">{insights.anomalies.data.slice(0, 8).map((a) => (
                <li key={a.id}><strong>{a.dimension === 'intent' ? label(a.key) : a.label}</strong> <span className="muted">{a.observed} tickets where about {Math.round(a.expected * 10) / 10} were expected, {new Date(a.windowStart).toLocaleString()} · {a.pValue < 0.001 ? 'very unlikely by chance' : `chance ${(a.pValue * 100).toFixed(1)}%`} · {a.ticketIds.length} tickets</span></li>
              ))}</ul>
            )}
          </section>
        )}
        {insights.health && (
          <section className="card" aria-labelledby="d-health">
            <h2 id="d-health">Customer health</h2>
            {insights.health.data.length === 0 ? <p className="muted">No accounts yet.</p> : (
              <table>
                <thead><tr><th>Account</th><th>Health</th><th>Revenue at risk</th><th>Why</th></tr></thead>
                <tbody>{insights.health.data.slice(0, 8).map((h) => (
                  <tr key={h.accountId}><td>{h.name} <span className={`chip tier ${h.tier}`}>{h.tier}</span></td><td><span className={`chip ${h.risk === 'high' ? 'danger' : h.risk === 'medium' ? 'warn' : ''}`}>{Math.round(h.score)}/100 · {h.risk} risk</span></td><td>{money(h.revenueAtRisk)}/mo</td><td className="muted">{h.reasons.slice(0, 2).map((r) => r.detail).join('; ') || 'no warning sign'}</td></tr>
                ))}</tbody>
              </table>
            )}
          </section>
        )}
        {insights.bugs && (
          <section className="card" aria-labelledby="d-bugs">
            <h2 id="d-bugs">Bug reports</h2>
            {insights.bugs.data.length === 0 ? <p className="muted">No bug reported by several customers yet.</p> : (
              <ul className="plain">{insights.bugs.data.slice(0, 6).map((b) => (
                <li key={b.id}>
                  <strong>{b.title}</strong> <span className={`chip ${b.status === 'open' ? 'warn' : ''}`}>{b.status}</span>{' '}
                  {b.externalUrl ? <a href={b.externalUrl} target="_blank" rel="noreferrer">{b.externalKey ?? 'tracker issue'}</a> : <span className="muted">not sent to a tracker</span>}
                  <div className="muted">{b.report.affected.customers.length} customers to notify ({b.report.affected.customers.slice(0, 4).map((c) => c.name ?? c.email ?? 'unknown').join(', ')}) · {money(b.report.affected.mrrAtRisk)}/mo at stake{b.lastError ? ` · last send failed: ${b.lastError}` : ''}</div>
                </li>
              ))}</ul>
            )}
          </section>
        )}
      </div>
    </main>
  );
}

interface ComplianceRow { tier?: string; priority?: string; tickets: number; firstResponseMetPct: number | null; resolutionMetPct: number | null; breaches: number }

function ComplianceTable({ data }: { data: Record<string, unknown> }) {
  return <div className="scroll-x"><ComplianceRows data={data} /></div>;
}

function ComplianceRows({ data }: { data: Record<string, unknown> }) {
  const rows = (data.rows ?? []) as ComplianceRow[];
  const total = data.total as ComplianceRow | undefined;
  const fmt = (n: number | null) => (n == null ? '—' : `${Math.round(n * 10) / 10}%`);
  return (
    <table>
      <thead><tr><th>Tier</th><th>Priority</th><th>Tickets</th><th>First reply on time</th><th>Resolved on time</th><th>Breaches</th></tr></thead>
      <tbody>
        {rows.map((r) => <tr key={`${r.tier}-${r.priority}`}><td>{humanize(r.tier ?? 'any')}</td><td>{humanize(r.priority ?? 'any')}</td><td>{r.tickets}</td><td>{fmt(r.firstResponseMetPct)}</td><td>{fmt(r.resolutionMetPct)}</td><td>{r.breaches}</td></tr>)}
        {total && <tr><th colSpan={2}>Total</th><th>{total.tickets}</th><th>{fmt(total.firstResponseMetPct)}</th><th>{fmt(total.resolutionMetPct)}</th><th>{total.breaches}</th></tr>}
      </tbody>
    </table>
  );
}
