import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from './api.js';
import { useLiveEvents } from './live.js';
import { navigate } from './router.js';
import { typing } from './shortcuts.js';
import { TicketView } from './TicketView.js';
import type { Me, QueueItem, Ticket } from './types.js';

type Row = Ticket & { sla?: QueueItem['sla'] };

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
        {rows === null ? <p className="muted">Loading…</p> : list.length === 0 ? <p className="muted">Nothing here. 🎉</p> : (
          <ol className="tickets" aria-label="Tickets, by priority">
            {list.map((t, i) => (
              <li key={t.id}>
                <a id={`row-${t.id}`} href={`/inbox/${view.id}/${t.id}`} className={`row ${t.id === ticketId ? 'selected' : ''} ${i === cursor ? 'cursor' : ''}`}
                  aria-current={t.id === ticketId ? 'true' : undefined}
                  onClick={(e) => { e.preventDefault(); setCursor(i); open(t.id); }}>
                  <span className={`prio ${t.priority}`}>{t.priority}</span>
                  <span className="subject">{t.subject}</span>
                  <span className="meta">
                    {t.intent && <span className="chip">{t.intent}</span>}
                    {t.tags.includes('human_requested') && <span className="chip warn">wants a human</span>}
                    {t.sla && atRisk(t) && <span className="chip danger">SLA</span>}
                    <span>{t.status}</span> · <span>{ago(t.createdAt)}</span>
                    {t.assigneeId === me.agent?.id && <span className="chip">mine</span>}
                  </span>
                </a>
              </li>
            ))}
          </ol>
        )}
      </section>
      {ticketId && <TicketView key={ticketId} id={ticketId} me={me} onClose={() => navigate(`/inbox/${view.id}`)} onChanged={load} />}
    </div>
  );
}
