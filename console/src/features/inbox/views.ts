/** The inbox's views and the words of a queue row: pure functions of the rows the API returns. */
import { api } from '../../lib/api.js';
import type { QueueItem, Ticket } from '../../lib/types.js';

/** A queue row: a ticket, with its SLA, customer and account when it comes from the priority queue. */
export type Row = Ticket & { sla?: QueueItem['sla']; customer?: QueueItem['customer']; account?: QueueItem['account'] };

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
const byPriority = (a: Row, b: Row) =>
  PRIORITY_RANK[a.priority]! - PRIORITY_RANK[b.priority]! || a.createdAt.localeCompare(b.createdAt);
const atRisk = (t: Row) => {
  const s = t.sla;
  if (!s) return false;
  const left = [s.firstResponse.remainingMinutes, s.resolution.remainingMinutes].filter(
    (m): m is number => typeof m === 'number',
  );
  return s.firstResponse.breached || s.resolution.breached || !!s.escalatedAt || left.some((m) => m <= 60);
};

/** The inbox views: each a query on the priority queue or the ticket list, always ordered by priority. */
export const VIEWS: { id: string; label: string; load: () => Promise<Row[]> }[] = [
  {
    id: 'all',
    label: 'All open',
    load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=all&limit=100')).data,
  },
  {
    id: 'mine',
    label: 'Mine',
    load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=mine&limit=100')).data,
  },
  {
    id: 'team',
    label: 'My teams',
    load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=team&limit=100')).data,
  },
  {
    id: 'unassigned',
    label: 'Unassigned',
    load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=unassigned&limit=100')).data,
  },
  {
    id: 'ai-resolved',
    label: 'Answered by AI, awaiting customer',
    load: async () =>
      (await api<{ data: Row[] }>('GET', '/tickets?status=resolved&tag=ai_answered&limit=100')).data.sort(byPriority),
  },
  {
    id: 'escalated',
    label: 'Escalated',
    load: async () =>
      (await api<{ data: Row[] }>('GET', '/queue?view=all&limit=200')).data.filter(
        (t) => t.tags.includes('human_requested') || !!t.sla?.escalatedAt,
      ),
  },
  {
    id: 'sla-risk',
    label: 'SLA at risk',
    load: async () => (await api<{ data: Row[] }>('GET', '/queue?view=all&limit=200')).data.filter(atRisk),
  },
];

/** The ticket list filters a dashboard's link may put on the inbox, named as the API names them. */
const FILTER_KEYS = ['ids', 'topicId', 'accountId', 'intent'] as const;
export type InboxFilterKey = (typeof FILTER_KEYS)[number];
/** How many tickets a filtered inbox shows (the API's page limit; `ids` lists at most as many). */
export const FILTERED_LIMIT = 100;

/** A filter a dashboard put on the inbox: the list query it makes and the words of its chip. */
export interface InboxFilter {
  query: string;
  label: string;
}

/** The filter in the inbox URL's query string (`?topicId=…&label=…`), or null when it has none. */
export function inboxFilter(search: string): InboxFilter | null {
  const params = new URLSearchParams(search);
  const query = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) query.set(key, value);
  }
  if (!query.toString()) return null;
  return { query: query.toString(), label: params.get('label') || 'Tickets from the dashboards' };
}

/** The inbox, filtered to an insight's tickets: the link a dashboard card gives (`ids` at most FILTERED_LIMIT). */
export function filteredInboxHref(filter: Partial<Record<InboxFilterKey, string | string[]>>, label: string): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value?.length) params.set(key, Array.isArray(value) ? value.slice(0, FILTERED_LIMIT).join(',') : value);
  }
  params.set('label', label);
  return `/inbox/filtered?${params.toString()}`;
}

/** The inbox view of a filter: its tickets from the ticket list, ordered by priority like every view. */
export function filteredView(filter: InboxFilter): { id: string; label: string; load: () => Promise<Row[]> } {
  return {
    id: 'filtered',
    label: filter.label,
    load: async () =>
      (await api<{ data: Row[] }>('GET', `/tickets?${filter.query}&limit=${FILTERED_LIMIT}`)).data.sort(byPriority),
  };
}

/** The SLA target still running, in words for the chip and its tooltip. */
export function slaDue(t: Row): { chip: string; tooltip: string; danger: boolean } | null {
  const s = t.sla;
  if (!s) return null;
  const target =
    s.firstResponse.dueAt && !s.firstResponse.met && t.firstResponseAt == null
      ? { name: 'First reply', ...s.firstResponse }
      : s.resolution.dueAt
        ? { name: 'Resolution', ...s.resolution }
        : null;
  if (!target || target.remainingMinutes == null) return null;
  const m = target.remainingMinutes;
  const span = (x: number) =>
    Math.abs(x) < 60
      ? `${Math.abs(x)} min`
      : Math.abs(x) < 1440
        ? `${Math.round(Math.abs(x) / 60)} h`
        : `${Math.round(Math.abs(x) / 1440)} d`;
  const due = new Date(target.dueAt!).toLocaleString();
  const policy = s.policy ? ` (SLA policy "${s.policy}")` : '';
  return m < 0
    ? {
        chip: `${target.name} overdue ${span(m)}`,
        tooltip: `${target.name} was due ${due}${policy}; ${span(m)} late.`,
        danger: true,
      }
    : {
        chip: `${target.name} in ${span(m)}`,
        tooltip: `${target.name} due ${due}${policy}.${s.escalatedAt ? ' Escalated by the SLA sweep.' : ''}`,
        danger: m <= 60 || !!s.escalatedAt,
      };
}

/** How long ago, in one short word: "now", "5m", "3h", "2d". */
export const ago = (iso: string) => {
  const m = Math.round((Date.now() - new Date(iso).getTime()) / 60_000);
  return m < 1 ? 'now' : m < 60 ? `${m}m` : m < 1440 ? `${Math.round(m / 60)}h` : `${Math.round(m / 1440)}d`;
};
