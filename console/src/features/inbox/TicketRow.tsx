import type { IntentLabel } from '../../../../src/domain/explain.js';
import { ago, slaDue, type Row } from './views.js';

interface Props {
  ticket: Row;
  href: string;
  selected: boolean;
  cursor: boolean;
  /** The assignee in words ("you", a name, "assigned", "unassigned"). */
  assignee: string;
  label: IntentLabel;
  onOpen: () => void;
}

/** One ticket of the queue: priority, subject, customer and account, intent, SLA due, status, age, assignee. */
export function TicketRow({ ticket: t, href, selected, cursor, assignee, label, onOpen }: Props) {
  const due = slaDue(t);
  return (
    <a
      id={`row-${t.id}`}
      href={href}
      className={`row ${selected ? 'selected' : ''} ${cursor ? 'cursor' : ''}`}
      aria-current={selected ? 'true' : undefined}
      onClick={(e) => {
        e.preventDefault();
        onOpen();
      }}
    >
      <span className={`prio ${t.priority}`}>{t.priority}</span>
      <span className="subject">{t.subject}</span>
      <span className="who">
        {t.customer?.name ?? t.customer?.email ?? 'Customer'}
        {t.account && (
          <>
            {' '}
            · {t.account.name} <span className={`chip tier ${t.account.tier}`}>{t.account.tier}</span>
          </>
        )}
      </span>
      <span className="meta">
        {t.intent && <span className="chip">{label(t.intent)}</span>}
        {t.tags.includes('human_requested') && <span className="chip warn">wants a person</span>}
        {due && (
          <span className={`chip ${due.danger ? 'danger' : ''}`} title={due.tooltip}>
            {due.chip}
          </span>
        )}
        <span>{t.status}</span> · <span title={new Date(t.createdAt).toLocaleString()}>{ago(t.createdAt)}</span> ·{' '}
        <span>{assignee}</span>
      </span>
    </a>
  );
}
