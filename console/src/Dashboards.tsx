import { useEffect, useRef, useState } from 'react';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { api, errorText } from './api.js';
import type { LearningReport, QualityReport } from './types.js';

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
const INSIGHTS = ['/insights/topics', '/insights/trends', '/insights/anomalies', '/insights/health', '/insights/bug-reports'];

/** Resolution vs deflection, learning velocity, volume by intent, SLA compliance, and insights when available. */
export function Dashboards() {
  const [weeks, setWeeks] = useState<QualityReport | null>(null);
  const [intents, setIntents] = useState<QualityReport | null>(null);
  const [learning, setLearning] = useState<LearningReport | null>(null);
  const [compliance, setCompliance] = useState<Record<string, unknown> | null>(null);
  const [insights, setInsights] = useState<{ path: string; data: unknown }[]>([]);
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
    for (const path of INSIGHTS) api('GET', path).then((data) => setInsights((xs) => [...xs.filter((x) => x.path !== path), { path, data }]), () => undefined);
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
            data: { labels: intents.groups.map((g) => g.key ?? 'unknown'), datasets: [
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
        {insights.map((i) => (
          <section key={i.path} className="card" aria-label={`Insights ${i.path}`}>
            <h2>Insights: {i.path.split('/').at(-1)}</h2>
            <InsightList data={i.data} />
          </section>
        ))}
      </div>
    </main>
  );
}

interface ComplianceRow { tier?: string; priority?: string; tickets: number; firstResponseMetPct: number | null; resolutionMetPct: number | null; breaches: number }

function ComplianceTable({ data }: { data: Record<string, unknown> }) {
  const rows = (data.rows ?? []) as ComplianceRow[];
  const total = data.total as ComplianceRow | undefined;
  const fmt = (n: number | null) => (n == null ? '—' : `${Math.round(n * 10) / 10}%`);
  return (
    <table>
      <thead><tr><th>Tier</th><th>Priority</th><th>Tickets</th><th>First response met</th><th>Resolution met</th><th>Breaches</th></tr></thead>
      <tbody>
        {rows.map((r) => <tr key={`${r.tier}-${r.priority}`}><td>{r.tier}</td><td>{r.priority}</td><td>{r.tickets}</td><td>{fmt(r.firstResponseMetPct)}</td><td>{fmt(r.resolutionMetPct)}</td><td>{r.breaches}</td></tr>)}
        {total && <tr><th colSpan={2}>Total</th><th>{total.tickets}</th><th>{fmt(total.firstResponseMetPct)}</th><th>{fmt(total.resolutionMetPct)}</th><th>{total.breaches}</th></tr>}
      </tbody>
    </table>
  );
}

/** Shows whatever an insights endpoint returns: its list of items, one line each. */
function InsightList({ data }: { data: unknown }) {
  const items = Array.isArray(data) ? data : Array.isArray((data as { data?: unknown })?.data) ? (data as { data: unknown[] }).data : null;
  if (!items) return <pre className="small">{JSON.stringify(data, null, 2).slice(0, 1500)}</pre>;
  if (!items.length) return <p className="muted">Nothing yet.</p>;
  return (
    <ul>
      {items.slice(0, 10).map((it, i) => {
        const r = it as Record<string, unknown>;
        const title = r.label ?? r.title ?? r.name ?? r.topic ?? r.intent ?? r.id ?? `#${i + 1}`;
        const extra = Object.entries(r).filter(([k, v]) => typeof v === 'number' && k !== 'id').slice(0, 3).map(([k, v]) => `${k} ${Number(v).toFixed(Number.isInteger(v) ? 0 : 2)}`).join(' · ');
        return <li key={i}><strong>{String(title)}</strong> <span className="muted">{extra}</span></li>;
      })}
    </ul>
  );
}
