import { PACKET_FIELD_LABELS } from '../../../../src/handoff/fields.js';
import type { QualityReport } from '../../lib/types.js';
import { minutes, pct } from './format.js';

type FieldCounts = QualityReport['total']['topMissingFields'];
/** Field counts in words: "billing or invoice (2), errors (1)"; a dash when there are none. */
const fields = (counts: FieldCounts) =>
  counts.length
    ? counts
        .slice(0, 3)
        .map((c) => `${PACKET_FIELD_LABELS[c.field].toLowerCase()} (${c.count})`)
        .join(', ')
    : '—';

/**
 * The headline figures of the period: resolution, deflection, escalation, reopens, first response, handoff to
 * human reply, the agents' verdicts on the handoff packets, how often a customer had to repeat information, CSAT.
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
        <span>Packet had what was needed</span>
        <strong>{pct(total.packetHadWhatNeededRate) ?? '—'}%</strong>
        <small>
          {total.handoffVerdicts} agent verdict{total.handoffVerdicts === 1 ? '' : 's'}
        </small>
      </div>
      <div className="kpi">
        <span>Missing from packets</span>
        <strong className="small">{fields(total.topMissingFields)}</strong>
        <small>fields agents said were missing</small>
      </div>
      <div className="kpi">
        <span>Customer had to repeat</span>
        <strong>{pct(total.repeatedInfoRate) ?? '—'}%</strong>
        <small>
          {total.repeatedInfo} of {total.handoffsChecked} replied handoffs asked for what the packet had
          {total.topRepeatedFields.length > 0 && <> · {fields(total.topRepeatedFields)}</>}
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
