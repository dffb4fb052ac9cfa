import { explainCheck, explainReason, type IntentLabel, type Verdict } from '../../../../src/domain/explain.js';
import { pct } from './format.js';

type Rec = Record<string, unknown>;

/** What a stage decided, in one or two lines. */
export function StageSummary({
  stage,
  result,
  label,
  intent,
}: {
  stage: string;
  result: Rec;
  label: IntentLabel;
  intent: string | null;
}) {
  if (stage === 'understand') {
    const i = result.intent as Rec | undefined;
    return (
      <p className="stage-line">
        Intent <strong>{i?.intent ? label(String(i.intent)) : 'none'}</strong> at{' '}
        {pct(i?.confidence as number | undefined)}
        {result.sentiment ? <>, tone {String((result.sentiment as Rec).label)}</> : null}
        {result.urgency ? <>, urgency {String((result.urgency as Rec).priority)}</> : null}
      </p>
    );
  }
  if (stage === 'decide') {
    const checks = (result.checks ?? []) as Verdict[];
    const decision =
      (
        {
          resolve: 'Answered on its own',
          draft: 'Drafted a reply for a person',
          hand_off: 'Handed to a person',
        } as Record<string, string>
      )[String(result.decision)] ?? 'No decision';
    return (
      <>
        <p className="stage-line">
          <strong>{decision}</strong>
          {result.reason ? <>: {explainReason(String(result.reason), { checks, intent, intentLabel: label })}</> : null}
        </p>
        {checks.length > 0 && (
          <ul className="checks">
            {checks.map((c) => (
              <li key={c.check} className={c.passed ? 'pass' : 'fail'} title={c.detail}>
                {c.passed ? '✓' : '✗'} {explainCheck(c, label, intent)} <code className="muted code">{c.check}</code>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }
  if (stage === 'retrieve') {
    const passages = (result.passages ?? []) as { title: string; score: number }[];
    return (
      <p className="stage-line">
        {passages.length
          ? passages
              .slice(0, 3)
              .map((p) => `${p.title} (${p.score.toFixed(2)})`)
              .join(', ')
          : 'no passage'}
      </p>
    );
  }
  if (stage === 'resolve')
    return (
      <p className="stage-line">
        {result.composed
          ? `Answered from ${((result.sources ?? []) as Rec[]).map((s) => s.title).join(', ')}`
          : String(result.reason ?? result.error ?? 'not answered')}
      </p>
    );
  if (stage === 'route')
    return (
      <p className="stage-line">
        {result.teamName ? `Team ${result.teamName}` : ''} {result.agentName ? `→ ${result.agentName}` : ''}{' '}
        {result.reason ? `(${result.reason})` : ''}
      </p>
    );
  return null;
}
