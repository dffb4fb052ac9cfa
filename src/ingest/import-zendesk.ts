/**
 * Zendesk exports as Deskmind's ticket import rows (JSONL). Reads either Zendesk's JSON export (one ticket
 * object a line, as Admin Center's "JSON export" writes it) or an API answer (`{"tickets": [...],
 * "users": [...]}` from `/api/v2/incremental/tickets.json?include=users,comment_events` or
 * `/api/v2/tickets.json?include=users`), with each ticket's `comments` when present. Pure: no I/O.
 *
 * Mapping: `id` → externalId `zendesk-<id>`; the requester (a `requester` object, or `requester_id` found
 * among `users`) → the customer; the first comment (else `description`) → the first message; later public
 * comments → messages (the requester's as customer, others as agent; private notes are left out); status
 * new/open → same, pending/hold → pending, solved → resolved, closed → closed; priority and tags as they are;
 * `via.channel` → channel (email, chat, voice → phone, api, web → widget, else import); `created_at` kept.
 */
import { z } from 'zod';
import { DeskmindError } from '../domain/errors.js';

const ZendeskUser = z
  .object({ id: z.union([z.number(), z.string()]), email: z.string().nullish(), name: z.string().nullish() })
  .passthrough();
const ZendeskComment = z
  .object({
    author_id: z.union([z.number(), z.string()]).nullish(),
    body: z.string().nullish(),
    plain_body: z.string().nullish(),
    public: z.boolean().nullish(),
    created_at: z.string().nullish(),
  })
  .passthrough();
const ZendeskTicket = z
  .object({
    id: z.union([z.number(), z.string()]),
    subject: z.string().nullish(),
    raw_subject: z.string().nullish(),
    description: z.string().nullish(),
    status: z.string().nullish(),
    priority: z.string().nullish(),
    tags: z.array(z.string()).nullish(),
    created_at: z.string().nullish(),
    requester_id: z.union([z.number(), z.string()]).nullish(),
    requester: ZendeskUser.partial({ id: true }).nullish(),
    via: z.object({ channel: z.string().nullish() }).passthrough().nullish(),
    comments: z.array(ZendeskComment).nullish(),
  })
  .passthrough();
type ZendeskTicket = z.infer<typeof ZendeskTicket>;
type ZendeskUser = z.infer<typeof ZendeskUser>;

const STATUSES: Record<string, string> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  hold: 'pending',
  solved: 'resolved',
  closed: 'closed',
};
const CHANNELS: Record<string, string> = {
  email: 'email',
  chat: 'chat',
  native_messaging: 'chat',
  voice: 'phone',
  api: 'api',
  web: 'widget',
  web_widget: 'widget',
};

/** One Deskmind import row for a Zendesk ticket (unknown statuses and priorities are left for the import to reject). */
function toRow(t: ZendeskTicket, users: Map<string, ZendeskUser>): Record<string, unknown> {
  const requesterId = t.requester_id ?? t.requester?.id ?? null;
  const requester = t.requester ?? (requesterId !== null ? users.get(String(requesterId)) : undefined);
  const comments = (t.comments ?? []).filter((c) => c.public !== false);
  const text = (c: z.infer<typeof ZendeskComment>) => (c.plain_body ?? c.body ?? '').trim();
  const [first, ...later] = comments;
  const status = t.status ? (STATUSES[t.status] ?? t.status) : undefined;
  return {
    externalId: `zendesk-${t.id}`,
    subject: (t.subject ?? t.raw_subject ?? '').trim() || (t.description ?? '').trim().split('\n')[0]!.slice(0, 200),
    body: first ? text(first) : (t.description ?? '').trim(),
    customerEmail: requester?.email ?? undefined,
    customerExternalId: requesterId !== null ? `zendesk-user-${requesterId}` : undefined,
    customerName: requester?.name ?? undefined,
    channel: CHANNELS[t.via?.channel ?? ''] ?? 'import',
    ...(t.priority ? { priority: t.priority } : {}),
    ...(t.tags?.length ? { tags: t.tags.join('|') } : {}),
    ...(status ? { status } : {}),
    ...(t.created_at ? { createdAt: t.created_at } : {}),
    messages: later
      .filter((c) => text(c))
      .map((c) => ({
        author: requesterId !== null && String(c.author_id) === String(requesterId) ? 'customer' : 'agent',
        text: text(c),
        ...(c.created_at ? { createdAt: c.created_at } : {}),
      })),
  };
}

/**
 * Converts a Zendesk export to the JSONL that `importText(..., { kind: 'tickets', format: 'jsonl' })` reads,
 * one line per ticket in the export's order. A line that is not a Zendesk ticket becomes a line the import
 * rejects with the reason (its line number is kept for JSONL exports).
 */
export function zendeskToJsonl(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) throw new DeskmindError('validation_failed', 'The Zendesk export is empty');
  let tickets: unknown[];
  let users = new Map<string, ZendeskUser>();
  if (trimmed.startsWith('{') && !trimmed.includes('\n{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (err) {
      throw new DeskmindError('validation_failed', `The Zendesk export is not JSON: ${(err as Error).message}`);
    }
    const parsed = z
      .object({
        tickets: z.array(z.unknown()).optional(),
        ticket: z.unknown().optional(),
        users: z.array(ZendeskUser).optional(),
      })
      .passthrough()
      .safeParse(doc);
    if (!parsed.success || (!parsed.data.tickets && !parsed.data.ticket && !(doc as { id?: unknown }).id)) {
      throw new DeskmindError('validation_failed', 'The Zendesk export has no "tickets" array');
    }
    tickets = parsed.data.tickets ?? [parsed.data.ticket ?? doc];
    users = new Map((parsed.data.users ?? []).map((u) => [String(u.id), u]));
  } else {
    tickets = text.split('\n').map((line) => {
      if (!line.trim()) return null;
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return line;
      }
    });
  }
  return tickets
    .map((raw) => {
      if (raw === null) return '';
      if (typeof raw === 'string') return raw; // not JSON: the import rejects the line as such
      const ticket = ZendeskTicket.safeParse(raw);
      if (!ticket.success) return JSON.stringify({ zendesk: 'not a Zendesk ticket (it needs an "id")' });
      return JSON.stringify(toRow(ticket.data, users));
    })
    .join('\n');
}
