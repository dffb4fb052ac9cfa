import { humanize } from '../../../../src/domain/explain.js';
import type { Compliance } from '../../lib/types.js';
import { ChartBox } from './ChartBox.js';

const fmt = (n: number | null) => (n == null ? '—' : `${Math.round(n * 10) / 10}%`);

/** SLA compliance per tier and priority, with the total; scrolls sideways on a narrow card. */
export function ComplianceTable({ data }: { data: Compliance }) {
  const total = data.total;
  return (
    <div className="scroll-x">
      <table>
        <thead>
          <tr>
            <th>Tier</th>
            <th>Priority</th>
            <th>Tickets</th>
            <th>First reply on time</th>
            <th>Resolved on time</th>
            <th>Breaches</th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((r) => (
            <tr key={`${r.tier}-${r.priority}`}>
              <td>{humanize(r.tier)}</td>
              <td>{humanize(r.priority)}</td>
              <td>{r.tickets}</td>
              <td>{fmt(r.firstResponseMetPct)}</td>
              <td>{fmt(r.resolutionMetPct)}</td>
              <td>{r.breaches}</td>
            </tr>
          ))}
          <tr>
            <th colSpan={2}>Total</th>
            <th>{total.tickets}</th>
            <th>{fmt(total.firstResponseMetPct)}</th>
            <th>{fmt(total.resolutionMetPct)}</th>
            <th>{total.breaches}</th>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

/** The share of tickets that met each target, per tier and priority, as bars (the table beside it has the counts). */
export function ComplianceChart({ data }: { data: Compliance }) {
  if (data.rows.length === 0) return <p className="muted">No ticket under an SLA target yet.</p>;
  return (
    <ChartBox
      label="SLA targets met per tier and priority, in percent"
      config={{
        type: 'bar',
        data: {
          labels: data.rows.map((r) => `${humanize(r.tier)} · ${humanize(r.priority)}`),
          datasets: [
            {
              label: 'First reply on time %',
              data: data.rows.map((r) => r.firstResponseMetPct),
              backgroundColor: '#1d4ed8',
            },
            {
              label: 'Resolved on time %',
              data: data.rows.map((r) => r.resolutionMetPct),
              backgroundColor: '#047857',
            },
          ],
        },
        options: { scales: { y: { min: 0, max: 100 } } },
      }}
    />
  );
}
