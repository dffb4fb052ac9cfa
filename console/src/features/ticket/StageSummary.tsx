import {
  describeTone,
  describeUrgency,
  explainCheck,
  explainReason,
  explainResolveFailure,
  explainRouteSkip,
  type IntentLabel,
  type Verdict,
} from '../../../../src/domain/explain.js';
import { pct } from './format.js';

type Rec = Record<string, unknown>;

/** A code beside its words, in small print, for the API-minded. */
const Code = ({ code }: { code: string }) => <code className="muted code">{code}</code>;

/** What a stage decided, in one or two lines of plain words (the codes in small print or a tooltip). */
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
    const tone = result.sentiment ? String((result.sentiment as Rec).label) : null;
    const urgency = result.urgency ? String((result.urgency as Rec).priority) : null;
    return (
      <p className="stage-line">
        Intent <strong>{i?.intent ? label(String(i.intent)) : 'none'}</strong> at{' '}
        {pct(i?.confidence as number | undefined)}
        {tone ? (
          <>
            , <span title={`sentiment: ${tone}`}>{describeTone(tone)}</span>
          </>
        ) : null}
        {urgency ? (
          <>
            , <span title={`urgency: ${urgency}`}>{describeUrgency(urgency)}</span>
          </>
        ) : null}
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
                {c.passed ? '✓' : '✗'} {explainCheck(c, label, intent)} <Code code={c.check} />
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
  if (stage === 'resolve') {
    if (result.composed)
      return (
        <p className="stage-line">Answered from {((result.sources ?? []) as Rec[]).map((s) => s.title).join(', ')}</p>
      );
    if (typeof result.reason === 'string')
      return (
        <p className="stage-line" title={typeof result.detail === 'string' ? result.detail : undefined}>
          {explainResolveFailure(result.reason)} <Code code={result.reason} />
        </p>
      );
    return (
      <p className="stage-line">
        {typeof result.error === 'string'
          ? `Failed: ${result.error}`
          : result.skipped
            ? 'No reply composed: the ticket went to a person.'
            : 'Not answered.'}
      </p>
    );
  }
  if (stage === 'route') {
    if (typeof result.skipped === 'string') return <p className="stage-line">{explainRouteSkip(result.skipped)}</p>;
    return (
      <p className="stage-line">
        {typeof result.why === 'string'
          ? result.why
          : typeof result.error === 'string'
            ? `Failed: ${result.error}`
            : 'Not routed.'}
      </p>
    );
  }
  return null;
}
