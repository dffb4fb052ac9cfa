import type { QualityReport } from '../../lib/types.js';
import { minutes, pct } from './format.js';

/**
 * The headline figures of the period: resolution, deflection, escalation, reopens, first response, handoff to
 * human reply, CSAT.
 */
export function Kpis({ total }: { total: QualityReport['total'] }) {
  return (
    <div className="kpis">
      <div className="kpi">
        <span>Resolution rate</span>
        <strong>{pct(total.resolutionRate) ?? '—'}%</strong>
        <small>answers that held, over all tickets</small>
      </div>
      <div className="kpi">
        <span>Deflection</span>
        <strong>{pct(total.deflectionRate) ?? '—'}%</strong>
        <small>answered by the AI, whatever happened next</small>
      </div>
      <div className="kpi">
        <span>Escalation rate</span>
        <strong>{pct(total.escalationRate) ?? '—'}%</strong>
      </div>
      <div className="kpi">
        <span>Reopen rate</span>
        <strong>{pct(total.reopenRate) ?? '—'}%</strong>
      </div>
      <div className="kpi">
        <span>Median first response</span>
        <strong>{minutes(total.medianFirstResponseMinutes)}</strong>
      </div>
      <div className="kpi">
        <span>Handoff to human reply</span>
        <strong>{minutes(total.medianHandoffReplyMinutes)}</strong>
        <small>
          median; p90 {minutes(total.p90HandoffReplyMinutes)} · {total.handoffsReplied} replied
        </small>
      </div>
      <div className="kpi">
        <span>CSAT</span>
        <strong>{total.csat.average?.toFixed(2) ?? '—'}</strong>
        <small>{total.csat.count} ratings</small>
      </div>
    </div>
  );
}
