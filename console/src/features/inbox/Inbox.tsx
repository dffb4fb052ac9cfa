import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useIntentLabels } from '../../lib/labels.js';
import { useLiveEvents } from '../../lib/live.js';
import { useResource } from '../../lib/useResource.js';
import { navigate } from '../../lib/router.js';
import type { Agent, Me } from '../../lib/types.js';
import { TicketView } from '../ticket/TicketView.js';
import { TicketRow } from './TicketRow.js';
import { useQueueKeys } from './useQueueKeys.js';
import { FILTERED_LIMIT, filteredView, inboxFilter, VIEWS, type Row } from './views.js';

/**
 * The inbox: its views, the queue of the current view (or search results), and the open ticket. A dashboard's
 * link opens the `filtered` view, its filter in the query string (`search`), shown as a removable chip.
 */
export function Inbox({ me, path, search: location }: { me: Me; path: string; search: string }) {
  const [, , viewId = 'all', ticketId] = path.split('/');
  const filter = useMemo(() => (viewId === 'filtered' ? inboxFilter(location) : null), [viewId, location]);
  const view = useMemo(
    () => (filter ? filteredView(filter) : (VIEWS.find((v) => v.id === viewId) ?? VIEWS[0]!)),
    [filter, viewId],
  );
  /** The query string that keeps a filtered view's filter on the paths below it. */
  const keep = filter ? location : '';
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState('');
  const [cursor, setCursor] = useState(0);
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Row[] | null>(null);
  const agents = useResource<{ data: Agent[] }>('/agents').data?.data ?? [];
  const label = useIntentLabels();

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
  const open = (id: string) => navigate(`/inbox/${view.id}/${id}${keep}`);
  useQueueKeys(list, cursor, setCursor, !!ticketId, open);

  const search = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!q.trim()) return setFound(null);
    setFound((await api<{ data: Row[] }>('GET', `/tickets?q=${encodeURIComponent(q)}&limit=50`)).data);
  };
  const assignee = (t: Row) =>
    t.assigneeId
      ? t.assigneeId === me.agent?.id
        ? 'you'
        : (agents.find((a) => a.id === t.assigneeId)?.name ?? 'assigned')
      : 'unassigned';
  const title = found ? 'Search results' : view.label;
  const clearFilter = () => {
    setCursor(0);
    navigate('/inbox/all');
  };

  return (
    <div className={`inbox ${ticketId ? 'has-ticket' : ''}`}>
      <nav className="views" aria-label="Inbox views">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <a
                href={`/inbox/${v.id}`}
                aria-current={v.id === view.id ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  setFound(null);
                  setCursor(0);
                  navigate(`/inbox/${v.id}`);
                }}
              >
                {v.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section className="queue" aria-labelledby="queue-title">
        <div className="queue-head">
          <h1 id="queue-title">{title}</h1>
          <search>
            <form onSubmit={search}>
              <label htmlFor="search" className="sr-only">
                Search tickets
              </label>
              <input
                id="search"
                type="search"
                placeholder="Search tickets"
                value={q}
                onChange={(e) => setQ(e.target.value)}
              />
            </form>
          </search>
        </div>
        {filter && !found && (
          <p className="filter-bar">
            <span className="chip filter">
              {filter.label}{' '}
              <button
                type="button"
                className="link"
                aria-label={`Remove the filter "${filter.label}"`}
                onClick={clearFilter}
              >
                ×
              </button>
            </span>{' '}
            <a
              href="/dashboards"
              onClick={(e) => {
                e.preventDefault();
                navigate('/dashboards');
              }}
            >
              ← Back to Dashboards
            </a>
            {rows?.length === FILTERED_LIMIT && <span className="muted"> · the newest {FILTERED_LIMIT} tickets</span>}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {rows === null ? (
          <p className="muted">Loading…</p>
        ) : list.length === 0 ? (
          <p className="muted">No tickets in this view.</p>
        ) : (
          <ol className="tickets" aria-label="Tickets, by priority">
            {list.map((t, i) => (
              <li key={t.id}>
                <TicketRow
                  ticket={t}
                  href={`/inbox/${view.id}/${t.id}${keep}`}
                  selected={t.id === ticketId}
                  cursor={i === cursor}
                  assignee={assignee(t)}
                  label={label}
                  onOpen={() => {
                    setCursor(i);
                    open(t.id);
                  }}
                />
              </li>
            ))}
          </ol>
        )}
      </section>
      {ticketId ? (
        <TicketView
          key={ticketId}
          id={ticketId}
          me={me}
          onClose={() => navigate(`/inbox/${view.id}${keep}`)}
          onChanged={load}
        />
      ) : (
        <NoTicketOpen count={list.length} view={title} />
      )}
    </div>
  );
}

/** The pane beside the queue when no ticket is open: how to open one, and how many wait. */
function NoTicketOpen({ count, view }: { count: number; view: string }) {
  return (
    <section className="ticket empty-state" aria-label="No ticket open">
      <h2>No ticket open</h2>
      <p>
        Pick a ticket from the list, or press <kbd>j</kbd>/<kbd>k</kbd> to move and <kbd>Enter</kbd> to open.{' '}
        <kbd>?</kbd> lists every shortcut.
      </p>
      <p className="muted">
        {count ? `${count} ticket${count === 1 ? '' : 's'} in "${view}", most urgent first.` : 'This view is empty.'}
      </p>
    </section>
  );
}
