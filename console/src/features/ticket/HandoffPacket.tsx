import type { ReactNode } from 'react';
import { describeSentiment, type IntentLabel } from '../../../../src/domain/explain.js';
import type { HandoffPacket as Packet } from '../../lib/types.js';
import { keyedByText } from '../../lib/keys.js';
import { pct } from './format.js';

/**
 * Everything a person needs to take the ticket over: why, what was tried, who the customer is, what to say;
 * `children` (the agent's verdict on it) show under the title.
 */
export function HandoffPacket({
  packet,
  label,
  children,
}: {
  packet: Packet;
  label: IntentLabel;
  children?: ReactNode;
}) {
  const p = packet;
  return (
    <section className="card handoff" aria-labelledby="handoff-title">
      <h3 id="handoff-title">Handoff packet</h3>
      {children}
      {p.askedAgain.length > 0 && (
        <>
          <h4>Asked the customer again</h4>
          <ul className="asked-again">
            {keyedByText(p.askedAgain, (q) => q.question).map(({ key, item: q }) => (
              <li key={key}>
                “{q.question}” <span className="muted">{q.reason}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h4>
        Summary <span className="muted">({p.summarySource})</span>
      </h4>
      <ul>
        {keyedByText(p.summary, String).map(({ key, item: s }) => (
          <li key={key}>{s}</li>
        ))}
      </ul>
      {p.whyHandedOff.reason && (
        <>
          <p>
            <strong>Why a person:</strong> {p.whyHandedOff.text}{' '}
            <code className="muted code">{p.whyHandedOff.reason}</code>
          </p>
          {p.whyHandedOff.failedChecks.length > 1 && (
            <ul className="checks">
              {p.whyHandedOff.failedChecks.map((c) => (
                <li key={c.check} className="fail">
                  ✗ {c.text}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {p.alreadyTried.length > 0 && (
        <>
          <h4>Already tried</h4>
          <ul>
            {keyedByText(p.alreadyTried, String).map(({ key, item: s }) => (
              <li key={key}>{s}</li>
            ))}
          </ul>
        </>
      )}
      {p.aiSaid.length > 0 && (
        <>
          <h4>What the AI said</h4>
          <ul>
            {keyedByText(p.aiSaid, (s) => `${s.at} ${s.text}`).map(({ key, item: s }) => (
              <li key={key}>
                <span className="chip">{s.visibility}</span> {s.text.slice(0, 300)}
              </li>
            ))}
          </ul>
        </>
      )}
      <h4>Intent</h4>
      <p>
        <strong>{p.intent.intent ? label(p.intent.intent) : 'Not recognised'}</strong>{' '}
        {p.intent.confidence != null && pct(p.intent.confidence)}
        {p.intent.alternatives.filter((a) => a.intent !== p.intent.intent).length > 0 && (
          <>
            {' '}
            · or perhaps{' '}
            {p.intent.alternatives
              .filter((a) => a.intent !== p.intent.intent)
              .map((a) => `${label(a.intent)} ${pct(a.probability)}`)
              .join(', ')}
          </>
        )}
      </p>
      <h4>How the customer sounds</h4>
      <p>
        {p.sentiment.summary ??
          describeSentiment({
            compound: p.sentiment.trend.at(-1)?.compound ?? null,
            cues: [],
            direction: p.sentiment.direction,
          })}
      </p>
      <h4>Customer</h4>
      <p>
        {p.customer?.name ?? '—'} {p.customer?.email && <>&lt;{p.customer.email}&gt;</>}
        {p.customer?.externalId && <> · id {p.customer.externalId}</>}
      </p>
      {p.account && (
        <p>
          {p.account.name} · {p.account.tier} tier{p.account.plan ? ` · ${p.account.plan}` : ''} · MRR{' '}
          {p.account.mrr ?? 0} · billing {String(p.account.billingState).replace('_', ' ')}
          {p.account.seats != null && <> · {p.account.seats} seats</>}
        </p>
      )}
      {p.page && (
        <>
          <h4>Page</h4>
          <p className="wrap">
            {p.page.url ?? p.page.route}
            {p.page.appVersion && <> · v{p.page.appVersion}</>}
            {p.page.features?.length ? <> · features {p.page.features.join(', ')}</> : null}
          </p>
          {p.page.recentErrors?.length ? (
            <ul className="errors">
              {keyedByText(p.page.recentErrors, String).map(({ key, item: e }) => (
                <li key={key}>
                  <code>{e}</code>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
      {p.recentTickets.length > 0 && (
        <>
          <h4>Recent tickets</h4>
          <ul>
            {p.recentTickets.map((t) => (
              <li key={t.id}>
                {t.subject} <span className="muted">({t.status})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {p.similarResolved.length > 0 && (
        <>
          <h4>Similar resolved tickets</h4>
          <ul>
            {p.similarResolved.map((t) => (
              <li key={t.id}>
                {t.subject}
                {t.resolution && <p className="muted">{t.resolution.slice(0, 200)}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
      {p.suggestedReply && (
        <>
          <h4>
            Suggested reply{' '}
            <span className="muted">
              ({p.suggestedReply.source === 'assistant' ? "the assistant's reply" : 'drafted from the best articles'}
              {'; '}press <kbd>u</kbd> to use it)
            </span>
          </h4>
          <p className="suggested">{p.suggestedReply.text}</p>
        </>
      )}
      {p.relevantArticles.length > 0 && (
        <>
          <h4>Relevant articles</h4>
          <ul>
            {p.relevantArticles.map((a) => (
              <li key={a.articleId}>
                {a.title} <span className="muted">{a.score.toFixed(2)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
