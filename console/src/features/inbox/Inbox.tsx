import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useLiveEvents } from '../../lib/live.js';
import { navigate } from '../../lib/router.js';
import { typing } from '../../lib/shortcuts.js';
import { TicketView } from '../ticket/TicketView.js';
import type { Agent, Me, QueueItem, Ticket } from '../../lib/types.js';
import { useIntentLabels } from '../../lib/labels.js';

type Row = Ticket & { sla?: QueueItem['sla']; customer?: QueueItem['customer']; account?: QueueItem['account'] };

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
const byPriority = (a: Row, b: Row) => (PRIORITY_RANK[a.priority]! - PRIORITY_RANK[b.priority]!) || a.createdAt.localeCompare(b.createdAt);
const atRisk = (t: Row) => {
  const s = t.sla;
  if (!s) return false;
  const left = [s.firstResponse.remainingMinutes, s.resolution.remainingMinutes].filter((m): m is number => typeof m === 'number');
  return s.firstResponse.breached || s.resolution.breached || !!s.escalatedAt || left.some((m) => m <= 60);
};

/** The inbox views: each a query on the priority queue or the ticket list, always ordered by priority. */
export const VIEWS: { id: string; label: string; load: () => Promise<Row[]> }[] = [
  { id: 'all', label: 'All open', load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=all&limit=100')).data },
  { id: 'mine', label: 'Mine', load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=mine&limit=100')).data },
  { id: 'team', label: 'My teams', load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=team&limit=100')).data },
  { id: 'unassigned', label: 'Unassigned', load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=unassigned&limit=100')).data },
  { id: 'ai-resolved', label: 'Answered by AI, awaiting customer', load: async () => (await api<{ data: Row[] }>('GET', '/tickets?status=resolved&tag=ai_answered&limit=100')).data.sort(byPriority) },
  { id: 'escalated', label: 'Escalated', load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=all&limit=200')).data.filter((t) => t.tags.includes('human_requested') || !!t.sla?.escalatedAt) },
  { id: 'sla-risk', label: 'SLA at risk', load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=all&limit=200')).data.filter(atRisk) },
];

/** The SLA target still running, in words for the chip and its tooltip. */
export function slaDue(t: Row): { chip: string; tooltip: string; danger: boolean } | null {
  const s = t.sla;
  if (!s) return null;
  const target = s.firstResponse.dueAt && !s.firstResponse.met && t.firstResponseAt == null ? { name: 'First reply', ...s.firstResponse } : s.resolution.dueAt ? { name: 'Resolution', ...s.resolution } : null;
  if (!target || target.remainingMinutes == null) return null;
  const m = target.remainingMinutes;
  const span = (x: number) => (Math.abs(x) < 60 ? `${Math.abs(x)} min` : Math.abs(x) < 1440 ? `${Math.round(Math.abs(x) / 60)} h` : `${Math.round(Math.abs(x) / 1440)} d`);
  const due = new Date(target.dueAt!).toLocaleString();
  const policy = s.policy ? ` (SLA policy "${s.policy}")` : '';
  return m < 0
    ? { chip: `${target.name} overdue ${span(m)}`, tooltip: `${target.name} was due ${due}${policy}; ${span(m)} late.`, danger: true }
    : { chip: `${target.name} in ${span(m)}`, tooltip: `${target.name} due ${due}${policy}.${s.escalatedAt ? ' Escalated by the SLA sweep.' : ''}`, danger: m <= 60 || !!s.escalatedAt };
}

const ago = (iso: string) => {
  const m = Math.round((Date.now() - new Date(iso).getTime()) / 60_000);
  return m < 1 ? 'now' : m < 60 ? `${m}m` : m < 1440 ? `${Math.round(m / 60)}h` : `${Math.round(m / 1440)}d`;
};

export function Inbox({ me, path }: { me: Me; path: string }) {
  const [, , viewId = 'all', ticketId] = path.split('/');
  const view = VIEWS.find((v) => v.id === viewId) ?? VIEWS[0]!;
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState('');
  const [cursor, setCursor] = useState(0);
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Row[] | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);
  const label = useIntentLabels();
  useEffect(() => void api<{ data: Agent[] }>('GET', '/agents').then((r) => setAgents(r.data), () => undefined), []);

  const load = useCallback(async () => {
    try {
      setRows(await view.load());
      setError('');
    } catch (err) {
      setError(errorText(err));
      setRows([]);
    }
  }, [view]);
  useEffect(() => {
    setRows(null);
    void load();
  }, [load]);
  useLiveEvents(() => void load());

  const list = found ?? rows ?? [];
  const open = (id: string) => navigate(`/inbox/${view.id}/${id}`);
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey || !list.length) return;
      if (e.key === 'j' || e.key === 'k') {
        const i = Math.min(Math.max(0, cursor + (e.key === 'j' ? 1 : -1)), list.length - 1);
        setCursor(i);
        if (ticketId) open(list[i]!.id);
        document.getElementById(`row-${list[i]!.id}`)?.focus();
      } else if (e.key === 'Enter' && !ticketId) open(list[cursor]!.id);
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  });

  const search = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!q.trim()) return setFound(null);
    setFound((await api<{ data: Row[] }>('GET', `/tickets?q=${encodeURIComponent(q)}&limit=50`)).data);
  };

  return (
    <div className={`inbox ${ticketId ? 'has-ticket' : ''}`}>
      <nav className="views" aria-label="Inbox views">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <a href={`/inbox/${v.id}`} aria-current={v.id === view.id ? 'page' : undefined} onClick={(e) => { e.preventDefault(); setFound(null); setCursor(0); navigate(`/inbox/${v.id}`); }}>{v.label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <section className="queue" aria-labelledby="queue-title">
        <div className="queue-head">
          <h1 id="queue-title">{found ? 'Search results' : view.label}</h1>
          <form role="search" onSubmit={search}>
            <label htmlFor="search" className="sr-only">Search tickets</label>
            <input id="search" type="search" placeholder="Search tickets" value={q} onChange={(e) => setQ(e.target.value)} />
          </form>
        </div>
        {error && <p role="alert" className="error">{error}</p>}
        {rows === null ? <p className="muted">Loading…</p> : list.length === 0 ? <p className="muted">No tickets in this view.</p> : (
          <ol className="tickets" aria-label="Tickets, by priority">
            {list.map((t, i) => (
              <li key={t.id}>
                <a id={`row-${t.id}`} href={`/inbox/${view.id}/${t.id}`} className={`row ${t.id === ticketId ? 'selected' : ''} ${i === cursor ? 'cursor' : ''}`}
                  aria-current={t.id === ticketId ? 'true' : undefined}
                  onClick={(e) => { e.preventDefault(); setCursor(i); open(t.id); }}>
                  <span className={`prio ${t.priority}`}>{t.priority}</span>
                  <span className="subject">{t.subject}</span>
                  <span className="who">
                    {t.customer?.name ?? t.customer?.email ?? 'Customer'}
                    {t.account && <> · {t.account.name} <span className={`chip tier ${t.account.tier}`}>{t.account.tier}</span></>}
                  </span>
                  <span className="meta">
                    {t.intent && <span className="chip">{label(t.intent)}</span>}
                    {t.tags.includes('human_requested') && <span className="chip warn">wants a person</span>}
                    {(() => {
                      const due = slaDue(t);
                      return due && <span className={`chip ${due.danger ? 'danger' : ''}`} title={due.tooltip} aria-label={due.tooltip}>{due.chip}</span>;
                    })()}
                    <span>{t.status}</span> · <span title={new Date(t.createdAt).toLocaleString()}>{ago(t.createdAt)}</span> ·{' '}
                    <span>{t.assigneeId ? (t.assigneeId === me.agent?.id ? 'you' : (agents.find((a) => a.id === t.assigneeId)?.name ?? 'assigned')) : 'unassigned'}</span>
                  </span>
                </a>
              </li>
            ))}
          </ol>
        )}
      </section>
      {ticketId ? <TicketView key={ticketId} id={ticketId} me={me} onClose={() => navigate(`/inbox/${view.id}`)} onChanged={load} /> : (
        <section className="ticket empty-state" aria-label="No ticket open">
          <h2>No ticket open</h2>
          <p>Pick a ticket from the list, or press <kbd>j</kbd>/<kbd>k</kbd> to move and <kbd>Enter</kbd> to open. <kbd>?</kbd> lists every shortcut.</p>
          <p className="muted">{list.length ? `${list.length} ticket${list.length === 1 ? '' : 's'} in "${found ? 'Search results' : view.label}", most urgent first.` : 'This view is empty.'}</p>
        </section>
      )}
    </div>
  );
}
