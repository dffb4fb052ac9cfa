import { useState } from 'react';
import type { ChartConfiguration } from 'chart.js';
import { useIntentLabels } from '../../lib/labels.js';
import { useResource } from '../../lib/useResource.js';
import type {
  Anomaly,
  BugReport,
  Compliance,
  Health,
  LearningReport,
  QualityReport,
  Topics,
  Trends,
} from '../../lib/types.js';
import { ChartBox } from './ChartBox.js';
import { ComplianceChart, ComplianceTable } from './ComplianceTable.js';
import { filteredInboxHref } from '../inbox/views.js';
import { pct } from './format.js';
import { BugReportsCard, HealthCard, SpikesCard, TopicsCard, TrendsCard } from './InsightCards.js';
import { Kpis } from './Kpis.js';

/** The key of a trends series without an intent or topic. */
const NONE = '(none)';

/** Resolution vs deflection, learning velocity, volume by intent, SLA compliance, and insights when available. */
export function Dashboards() {
  const [from] = useState(() => encodeURIComponent(new Date(Date.now() - 84 * 86_400_000).toISOString()));
  const weeksRes = useResource<QualityReport>(`/metrics/quality?groupBy=week&from=${from}`);
  const intentsRes = useResource<QualityReport>(`/metrics/quality?groupBy=intent&from=${from}`);
  const learningRes = useResource<LearningReport>(`/metrics/learning?from=${from}`);
  const [weeks, intents, learning] = [weeksRes.data, intentsRes.data, learningRes.data];
  // SLA compliance and the insights are optional: a card appears for each endpoint that answers.
  const compliance = useResource<Compliance>('/sla/compliance').data;
  const trends = useResource<Trends>('/insights/trends?by=intent').data;
  const topicTrends = useResource<Trends>('/insights/trends?by=topic').data;
  const topics = useResource<Topics>('/insights/topics').data;
  const anomalies = useResource<{ data: Anomaly[] }>('/insights/anomalies').data;
  const health = useResource<{ data: Health[] }>('/insights/health?limit=8').data;
  const bugs = useResource<{ data: BugReport[] }>('/insights/bug-reports').data;
  const label = useIntentLabels();
  const error = weeksRes.error || intentsRes.error || learningRes.error;

  return (
    <main className="dashboards">
      <h1>Dashboards</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {weeks && <Kpis total={weeks.total} />}
      <div className="grid">
        <section className="card" aria-labelledby="d-res">
          <h2 id="d-res">Resolution vs deflection, by week</h2>
          {weeks && (
            <ChartBox
              label="Resolution and deflection rates per week"
              config={{
                type: 'line',
                data: {
                  labels: weeks.groups.map((g) => g.key ?? ''),
                  datasets: [
                    {
                      label: 'Resolution %',
                      data: weeks.groups.map((g) => pct(g.resolutionRate)),
                      borderColor: '#047857',
                      backgroundColor: '#047857',
                    },
                    {
                      label: 'Deflection %',
                      data: weeks.groups.map((g) => pct(g.deflectionRate)),
                      borderColor: '#1d4ed8',
                      backgroundColor: '#1d4ed8',
                      borderDash: [6, 4],
                    },
                  ],
                },
                options: { scales: { y: { min: 0, max: 100 } } },
              }}
            />
          )}
        </section>
        <section className="card" aria-labelledby="d-learn">
          <h2 id="d-learn">Learning velocity: intent accuracy per week</h2>
          {learning && (
            <ChartBox
              label="Intent accuracy against human labels per week"
              config={
                {
                  type: 'line',
                  data: {
                    labels: learning.intentAccuracy.weeks.map((w) => w.week),
                    datasets: [
                      {
                        label: 'Accuracy %',
                        data: learning.intentAccuracy.weeks.map((w) => pct(w.accuracy)),
                        borderColor: '#7c3aed',
                        backgroundColor: '#7c3aed',
                      },
                      {
                        label: 'Labels',
                        data: learning.intentAccuracy.weeks.map((w) => w.labelled),
                        type: 'bar',
                        backgroundColor: '#c4b5fd',
                        yAxisID: 'n',
                      },
                    ],
                  },
                  options: {
                    scales: { y: { min: 0, max: 100 }, n: { position: 'right', grid: { drawOnChartArea: false } } },
                  },
                } as ChartConfiguration
              }
            />
          )}
          {learning && (
            <p className="muted">
              {learning.models.length} model versions · overall {pct(learning.intentAccuracy.accuracy) ?? '—'}% on{' '}
              {learning.intentAccuracy.labelled} human labels
            </p>
          )}
        </section>
        <section className="card" aria-labelledby="d-vol">
          <h2 id="d-vol">Volume by intent</h2>
          {intents && (
            <ChartBox
              label="Tickets per intent"
              config={{
                type: 'bar',
                data: {
                  labels: intents.groups.map((g) => (g.key ? label(g.key) : 'Not recognised')),
                  datasets: [
                    { label: 'Tickets', data: intents.groups.map((g) => g.tickets), backgroundColor: '#1d4ed8' },
                    {
                      label: 'Resolved by AI',
                      data: intents.groups.map((g) => g.aiResolved),
                      backgroundColor: '#047857',
                    },
                  ],
                },
                options: { indexAxis: 'y' },
              }}
            />
          )}
        </section>
        {compliance && (
          <section className="card" aria-labelledby="d-sla">
            <h2 id="d-sla">SLA compliance</h2>
            <ComplianceChart data={compliance} />
            <ComplianceTable data={compliance} />
          </section>
        )}
        {trends && (
          <TrendsCard
            trends={trends}
            by="intent"
            name={(s) => (s.key === NONE ? 'Not recognised' : label(s.key))}
            href={(s) => (s.key === NONE ? null : filteredInboxHref({ intent: s.key }, `Intent: ${label(s.key)}`))}
          />
        )}
        {topicTrends && (
          <TrendsCard
            trends={topicTrends}
            by="topic"
            name={(s) => (s.key === NONE ? 'No topic' : s.label)}
            href={(s) => (s.key === NONE ? null : filteredInboxHref({ topicId: s.key }, `Topic: ${s.label}`))}
          />
        )}
        {topics && <TopicsCard topics={topics} />}
        {anomalies && <SpikesCard anomalies={anomalies.data} label={label} />}
        {health && <HealthCard health={health.data} />}
        {bugs && <BugReportsCard bugs={bugs.data} />}
      </div>
    </main>
  );
}
