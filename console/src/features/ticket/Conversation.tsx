import type { Agent, TicketDetail } from '../../lib/types.js';
import { when } from './format.js';

type Message = TicketDetail['messages'][number];

/** The messages of the ticket, oldest first, with who wrote each. */
export function Conversation({ ticket, agents }: { ticket: TicketDetail; agents: Agent[] }) {
  const authorName = (m: Message) =>
    m.authorType === 'agent'
      ? (agents.find((a) => a.id === m.authorId)?.name ?? 'Agent')
      : m.authorType === 'customer'
        ? (ticket.customer?.name ?? ticket.customer?.email ?? 'Customer')
        : m.authorType === 'assistant'
          ? 'Assistant'
          : 'System';
  return (
    <ol className="messages" aria-label="Messages">
      {ticket.messages.map((m) => (
        <li key={m.id} className={`message ${m.authorType} ${m.visibility}`}>
          <div className="message-head">
            <strong>{authorName(m)}</strong>
            {m.visibility === 'internal' && <span className="chip">internal</span>}
            <time dateTime={m.createdAt}>{when(m.createdAt)}</time>
          </div>
          <p>{m.text}</p>
        </li>
      ))}
    </ol>
  );
}
