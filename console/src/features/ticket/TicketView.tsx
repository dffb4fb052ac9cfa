import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useLiveEvents } from '../../lib/live.js';
import { typing } from '../../lib/shortcuts.js';
import type { Agent, HandoffPacket, Macro, Me, Team, TicketDetail } from '../../lib/types.js';
import { describeSentiment, explainCheck, explainReason, type IntentLabel, type Verdict } from '../../../../src/domain/explain.js';
import { useIntentLabels } from '../../lib/labels.js';

const DRAFT_PREFIX = 'Suggested reply (awaiting approval):\n\n';
const pct = (n: number | null | undefined) => (typeof n === 'number' ? `${Math.round(n * 100)}%` : '—');
const when = (iso: string) => new Date(iso).toLocaleString();
type Rec = Record<string, any>;

function tomorrowNine(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d.toISOString();
}

/** One ticket: conversation, handoff packet, decision record, and every action an agent takes on it. */
export function TicketView({ id, me, onClose, onChanged }: { id: string; me: Me; onClose: () => void; onChanged: () => void }) {
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [packet, setPacket] = useState<HandoffPacket | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  const [macros, setMacros] = useState<Macro[]>([]);
  const [reply, setReply] = useState('');
  const [internal, setInternal] = useState(false);
  // A notice holds for the status it was given at: a reopen after "Resolved" hides it.
  const [notice, setNoticeState] = useState<{ text: string; status: string | null }>({ text: '', status: null });
  const [error, setError] = useState('');
  const [intent, setIntent] = useState('');
  const [mergeInto, setMergeInto] = useState('');
  const [snooze, setSnooze] = useState('');
  const replyRef = useRef<HTMLTextAreaElement>(null);

  const load = useCallback(async (): Promise<TicketDetail | null> => {
    try {
      const t = await api<TicketDetail>('GET', `/tickets/${id}`);
      setTicket(t);
      setIntent((i) => i || t.intent || '');
      setPacket(await api<HandoffPacket>('GET', `/tickets/${id}/handoff`).catch(() => null));
      return t;
    } catch (err) {
      setError(errorText(err));
      return null;
    }
  }, [id]);
  useEffect(() => {
    void load();
    api<{ data: Agent[] }>('GET', '/agents').then((r) => setAgents(r.data), () => undefined);
    api<{ data: Team[] }>('GET', '/teams').then((r) => setTeams(r.data), () => undefined);
    api<{ data: Macro[] }>('GET', '/macros').then((r) => setMacros(r.data), () => undefined);
  }, [load]);
  useLiveEvents((events) => {
    if (events.some((e) => e.ticketId === id)) void load();
  });
  const label = useIntentLabels();

  /** Runs an action: shows `optimistic` at once, then the server's answer, then the full ticket again. */
  const act = async (what: string, fn: () => Promise<unknown>, optimistic?: Partial<TicketDetail>) => {
    setError('');
    const before = ticket;
    if (optimistic) setTicket((t) => (t ? { ...t, ...optimistic } : t));
    try {
      const answer = await fn();
      if (answer && typeof answer === 'object' && 'status' in answer && 'id' in answer) setTicket((t) => (t ? { ...t, ...(answer as Partial<TicketDetail>) } : t));
      onChanged();
      const fresh = await load();
      setNoticeState({ text: what, status: fresh?.status ?? null });
    } catch (err) {
      if (optimistic) setTicket(before);
      setError(errorText(err));
    }
  };
  const patch = (what: string, body: Record<string, unknown>) => {
    const { snoozedUntil: _s, ...visible } = body;
    return act(what, () => api<Partial<TicketDetail>>('PATCH', `/tickets/${id}`, body), visible as Partial<TicketDetail>);
  };
  const send = () => {
    if (!reply.trim()) return;
    void act(internal ? 'Note added' : 'Reply sent', async () => {
      await api('POST', `/tickets/${id}/messages`, { text: reply, visibility: internal ? 'internal' : 'public' });
      setReply('');
    });
  };
  const draft = [...(ticket?.messages ?? [])].reverse().find((m) => m.authorType === 'assistant' && m.visibility === 'internal' && m.text.startsWith(DRAFT_PREFIX));
  const suggested = packet?.suggestedReply?.text ?? (draft ? draft.text.slice(DRAFT_PREFIX.length) : null);

  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (typing(e)) {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target === replyRef.current) {
          e.preventDefault();
          send();
        }
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      const keys: Record<string, () => void> = {
        r: () => { setInternal(false); replyRef.current?.focus(); },
        n: () => { setInternal(true); replyRef.current?.focus(); },
        e: () => void patch('Resolved', { status: 'resolved' }),
        c: () => void act('Claimed', () => api('POST', `/tickets/${id}/claim`, {})),
        s: () => void patch('Snoozed until tomorrow 9:00', { status: 'snoozed', snoozedUntil: tomorrowNine() }),
        u: () => { if (suggested) { setReply(suggested); replyRef.current?.focus(); } },
        Escape: onClose,
      };
      const fn = keys[e.key];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  });

  if (error && !ticket) return <section className="ticket"><p role="alert" className="error">{error}</p></section>;
  if (!ticket) return <section className="ticket"><p className="muted">Loading…</p></section>;
  const runs = [...new Set(ticket.decisions.map((d) => d.runId))].reverse();
  const authorName = (m: TicketDetail['messages'][number]) =>
    m.authorType === 'agent' ? (agents.find((a) => a.id === m.authorId)?.name ?? 'Agent') : m.authorType === 'customer' ? (ticket.customer?.name ?? ticket.customer?.email ?? 'Customer') : m.authorType === 'assistant' ? 'Assistant' : 'System';

  return (
    <section className="ticket" aria-labelledby="ticket-title">
      <header className="ticket-head">
        <button className="link back" onClick={onClose} aria-label="Back to the list">←</button>
        <div>
          <h2 id="ticket-title">{ticket.subject}</h2>
          <p className="muted">
            <span className={`prio ${ticket.priority}`}>{ticket.priority}</span> {ticket.status} · {ticket.channel} · {ticket.customer?.name ?? ticket.customer?.email ?? 'unknown customer'}
            {ticket.intent && <> · intent <strong>{label(ticket.intent)}</strong> {ticket.intentConfidence != null && `(${pct(ticket.intentConfidence)})`}</>}
            {ticket.assigneeId && <> · assigned to {agents.find((a) => a.id === ticket.assigneeId)?.name ?? 'someone'}</>}
          </p>
        </div>
      </header>
      {notice.text && (notice.status === null || notice.status === ticket.status) && <p role="status" className="notice">{notice.text}</p>}
      {error && <p role="alert" className="error">{error}</p>}

      <div className="toolbar" role="toolbar" aria-label="Ticket actions">
        <button onClick={() => void act('Claimed', () => api('POST', `/tickets/${id}/claim`, {}))} disabled={ticket.assigneeId === me.agent?.id}>Claim <kbd>c</kbd></button>
        <button className="primary" onClick={() => void patch('Resolved', { status: 'resolved' })} disabled={ticket.status === 'resolved' || ticket.status === 'closed'}>Resolve <kbd>e</kbd></button>
        <label>Assign
          <select value={ticket.assigneeId ?? ''} onChange={(e) => void patch('Assigned', { assigneeId: e.target.value || null })}>
            <option value="">nobody</option>
            {agents.map((a) => <option key={a.id} value={a.id}>{a.name} ({a.status})</option>)}
          </select>
        </label>
        <label>Transfer to team
          <select value={ticket.teamId ?? ''} onChange={(e) => void patch('Transferred', { teamId: e.target.value || null })}>
            <option value="">no team</option>
            {teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </label>
        <label>Priority
          <select value={ticket.priority} onChange={(e) => void patch('Priority changed', { priority: e.target.value })}>
            {['urgent', 'high', 'normal', 'low'].map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
        <form className="inline" onSubmit={(e) => { e.preventDefault(); if (intent.trim()) void patch('Intent relabelled (the model learns from it)', { intent: intent.trim() }); }}>
          <label>Intent <input value={intent} onChange={(e) => setIntent(e.target.value)} list="intents" size={16} /></label>
          <datalist id="intents">{(packet?.intent.alternatives ?? []).map((a) => <option key={a.intent} value={a.intent} />)}</datalist>
          <button type="submit">Relabel</button>
        </form>
        <form className="inline" onSubmit={(e) => { e.preventDefault(); if (snooze) void patch('Snoozed', { status: 'snoozed', snoozedUntil: new Date(snooze).toISOString() }); }}>
          <label>Snooze until <input type="datetime-local" value={snooze} onChange={(e) => setSnooze(e.target.value)} /></label>
          <button type="submit">Snooze <kbd>s</kbd></button>
        </form>
        <form className="inline" onSubmit={(e) => { e.preventDefault(); if (mergeInto.trim()) void act('Merged', () => api('POST', `/tickets/${id}/merge`, { into: mergeInto.trim() })); }}>
          <label>Merge into ticket <input value={mergeInto} onChange={(e) => setMergeInto(e.target.value)} placeholder="ticket id" size={12} /></label>
          <button type="submit">Merge</button>
        </form>
      </div>

      <div className="ticket-body">
        <div className="conversation">
          <h3>Conversation</h3>
          <ol className="messages" aria-label="Messages">
            {ticket.messages.map((m) => (
              <li key={m.id} className={`message ${m.authorType} ${m.visibility}`}>
                <div className="message-head"><strong>{authorName(m)}</strong>{m.visibility === 'internal' && <span className="chip">internal</span>}<time dateTime={m.createdAt}>{when(m.createdAt)}</time></div>
                <p>{m.text}</p>
              </li>
            ))}
          </ol>
          <form className="reply" onSubmit={(e) => { e.preventDefault(); send(); }}>
            <div className="reply-tools">
              <label>Macro
                <select value="" onChange={async (e) => {
                  const macroId = e.target.value;
                  if (!macroId) return;
                  try {
                    const r = await api<{ text: string }>('POST', `/tickets/${id}/macros/${macroId}`, { send: false });
                    setReply(r.text);
                  } catch (err) {
                    setError(errorText(err));
                  }
                }}>
                  <option value="">insert a macro…</option>
                  {macros.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
                </select>
              </label>
              {suggested && <button type="button" onClick={() => { setReply(suggested); replyRef.current?.focus(); }}>Use suggested reply <kbd>u</kbd></button>}
              {draft && <button type="button" onClick={() => void act('Draft approved and sent', () => api('POST', `/tickets/${id}/draft/approve`, reply.trim() ? { text: reply } : {}))}>Approve AI draft{reply.trim() ? ' (edited)' : ''}</button>}
              <label className="check"><input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> Internal note</label>
            </div>
            <label htmlFor="reply" className="sr-only">{internal ? 'Internal note' : 'Reply to the customer'}</label>
            <textarea id="reply" ref={replyRef} rows={5} value={reply} onChange={(e) => setReply(e.target.value)} placeholder={internal ? 'Internal note (the customer never sees it)' : 'Reply to the customer… (r)'} />
            <button type="submit" className="primary" disabled={!reply.trim()}>{internal ? 'Add note' : 'Send reply'} <kbd>Ctrl+Enter</kbd></button>
          </form>
        </div>

        <aside className="side">
          {packet && <Handoff packet={packet} label={label} />}
          <section className="card" aria-labelledby="decisions-title">
            <h3 id="decisions-title">Decision record</h3>
            {runs.length === 0 && <p className="muted">The assistant has not looked at this ticket yet.</p>}
            {runs.map((run, i) => (
              <details key={run} open={i === 0}>
                <summary>Run {runs.length - i}{i === 0 ? ' (latest)' : ''}</summary>
                <ol className="stages">
                  {ticket.decisions.filter((d) => d.runId === run).map((d) => (
                    <li key={d.id} className={d.ok ? 'ok' : 'failed'}>
                      <strong>{d.stage}</strong> {d.ok ? '' : '✗ failed'} <span className="muted">{d.modelVersion ?? ''} {Math.round(d.durationMs)} ms</span>
                      <StageSummary stage={d.stage} result={d.result as Rec} label={label} intent={ticket.intent ?? null} />
                      <details><summary>details</summary><pre>{JSON.stringify(d.result, null, 2)}</pre></details>
                    </li>
                  ))}
                </ol>
              </details>
            ))}
          </section>
          <section className="card" aria-labelledby="timeline-title">
            <h3 id="timeline-title">Timeline</h3>
            <ol className="timeline">
              {ticket.timeline.slice(-30).map((e) => <li key={e.id}><span className="muted">{new Date(e.createdAt).toLocaleTimeString()}</span> {e.type.replace(/^[a-z_]+\./, (m) => (m === 'ticket.' ? '' : m)).replace(/_/g, ' ')} <span className="muted">by {e.actorType}</span>{typeof e.data.reason === 'string' && <> — {explainReason(e.data.reason, { intent: ticket.intent ?? null, intentLabel: label, detail: typeof e.data.detail === 'string' ? e.data.detail : null })}</>}</li>)}
            </ol>
          </section>
        </aside>
      </div>
    </section>
  );
}

/** What a stage decided, in one or two lines. */
function StageSummary({ stage, result, label, intent }: { stage: string; result: Rec; label: IntentLabel; intent: string | null }) {
  if (stage === 'understand') {
    const i = result.intent as Rec | undefined;
    return <p className="stage-line">Intent <strong>{i?.intent ? label(String(i.intent)) : 'none'}</strong> at {pct(i?.confidence)}{result.sentiment ? <>, tone {String(result.sentiment.label)}</> : null}{result.urgency ? <>, urgency {String(result.urgency.priority)}</> : null}</p>;
  }
  if (stage === 'decide') {
    const checks = (result.checks ?? []) as Verdict[];
    const decision = ({ resolve: 'Answered on its own', draft: 'Drafted a reply for a person', hand_off: 'Handed to a person' } as Record<string, string>)[String(result.decision)] ?? 'No decision';
    return (
      <>
        <p className="stage-line"><strong>{decision}</strong>{result.reason ? <>: {explainReason(String(result.reason), { checks, intent, intentLabel: label })}</> : null}</p>
        {checks.length > 0 && <ul className="checks">{checks.map((c) => <li key={c.check} className={c.passed ? 'pass' : 'fail'} title={c.detail}>{c.passed ? '✓' : '✗'} {explainCheck(c, label, intent)} <code className="muted code">{c.check}</code></li>)}</ul>}
      </>
    );
  }
  if (stage === 'retrieve') {
    const passages = (result.passages ?? []) as { title: string; score: number }[];
    return <p className="stage-line">{passages.length ? passages.slice(0, 3).map((p) => `${p.title} (${p.score.toFixed(2)})`).join(', ') : 'no passage'}</p>;
  }
  if (stage === 'resolve') return <p className="stage-line">{result.composed ? `Answered from ${((result.sources ?? []) as Rec[]).map((s) => s.title).join(', ')}` : String(result.reason ?? result.error ?? 'not answered')}</p>;
  if (stage === 'route') return <p className="stage-line">{result.teamName ? `Team ${result.teamName}` : ''} {result.agentName ? `→ ${result.agentName}` : ''} {result.reason ? `(${result.reason})` : ''}</p>;
  return null;
}

function Handoff({ packet, label }: { packet: HandoffPacket; label: IntentLabel }) {
  const p = packet;
  return (
    <section className="card handoff" aria-labelledby="handoff-title">
      <h3 id="handoff-title">Handoff packet</h3>
      <h4>Summary <span className="muted">({p.summarySource})</span></h4>
      <ul>{p.summary.map((s, i) => <li key={i}>{s}</li>)}</ul>
      {p.whyHandedOff.reason && (
        <>
          <p><strong>Why a person:</strong> {p.whyHandedOff.text} <code className="muted code">{p.whyHandedOff.reason}</code></p>
          {p.whyHandedOff.failedChecks.length > 1 && <ul className="checks">{p.whyHandedOff.failedChecks.map((c) => <li key={c.check} className="fail">✗ {c.text}</li>)}</ul>}
        </>
      )}
      {p.alreadyTried.length > 0 && <><h4>Already tried</h4><ul>{p.alreadyTried.map((s, i) => <li key={i}>{s}</li>)}</ul></>}
      {p.aiSaid.length > 0 && <><h4>What the AI said</h4><ul>{p.aiSaid.map((s, i) => <li key={i}><span className="chip">{s.visibility}</span> {s.text.slice(0, 300)}</li>)}</ul></>}
      <h4>Intent</h4>
      <p><strong>{p.intent.intent ? label(p.intent.intent) : 'Not recognised'}</strong> {p.intent.confidence != null && pct(p.intent.confidence)}{p.intent.alternatives.filter((a) => a.intent !== p.intent.intent).length > 0 && <> · or perhaps {p.intent.alternatives.filter((a) => a.intent !== p.intent.intent).map((a) => `${label(a.intent)} ${pct(a.probability)}`).join(', ')}</>}</p>
      <h4>How the customer sounds</h4>
      <p>{p.sentiment.summary ?? describeSentiment({ compound: p.sentiment.trend.at(-1)?.compound ?? null, cues: [], direction: p.sentiment.direction })}</p>
      <h4>Customer</h4>
      <p>{p.customer?.name ?? '—'} {p.customer?.email && <>&lt;{p.customer.email}&gt;</>}{p.customer?.externalId && <> · id {p.customer.externalId}</>}</p>
      {p.account && <p>{p.account.name} · {p.account.tier} tier{p.account.plan ? ` · ${p.account.plan}` : ''} · MRR {p.account.mrr ?? 0} · billing {String(p.account.billingState).replace('_', ' ')}{p.account.seats != null && <> · {p.account.seats} seats</>}</p>}
      {p.page && (
        <>
          <h4>Page</h4>
          <p className="wrap">{p.page.url ?? p.page.route}{p.page.appVersion && <> · v{p.page.appVersion}</>}{p.page.features?.length ? <> · features {p.page.features.join(', ')}</> : null}</p>
          {p.page.recentErrors?.length ? <ul className="errors">{p.page.recentErrors.map((e, i) => <li key={i}><code>{e}</code></li>)}</ul> : null}
        </>
      )}
      {p.recentTickets.length > 0 && <><h4>Recent tickets</h4><ul>{p.recentTickets.map((t) => <li key={t.id}>{t.subject} <span className="muted">({t.status})</span></li>)}</ul></>}
      {p.similarResolved.length > 0 && <><h4>Similar resolved tickets</h4><ul>{p.similarResolved.map((t) => <li key={t.id}>{t.subject}{t.resolution && <p className="muted">{t.resolution.slice(0, 200)}</p>}</li>)}</ul></>}
      {p.suggestedReply && <><h4>Suggested reply <span className="muted">({p.suggestedReply.source === 'assistant' ? "the assistant's reply" : 'drafted from the best articles'}; press <kbd>u</kbd> to use it)</span></h4><p className="suggested">{p.suggestedReply.text}</p></>}
      {p.relevantArticles.length > 0 && <><h4>Relevant articles</h4><ul>{p.relevantArticles.map((a) => <li key={a.articleId}>{a.title} <span className="muted">{a.score.toFixed(2)}</span></li>)}</ul></>}
    </section>
  );
}
