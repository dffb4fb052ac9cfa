import { useEffect, useState } from 'react';
import type { Agent, HandoffPacket, Me, Team, TicketDetail } from '../../lib/types.js';
import type { useTicketActions } from './useTicketActions.js';

type Actions = ReturnType<typeof useTicketActions>;
interface Props {
  ticket: TicketDetail;
  packet: HandoffPacket | null;
  me: Me;
  agents: Agent[];
  teams: Team[];
  actions: Actions;
}

/** Claim, resolve, assign, transfer, priority, relabel, snooze and merge. */
export function TicketToolbar({ ticket, packet, me, agents, teams, actions }: Props) {
  const { patch } = actions;
  return (
    <div className="toolbar" role="toolbar" aria-label="Ticket actions">
      <button type="button" onClick={() => void actions.claim()} disabled={ticket.assigneeId === me.agent?.id}>
        Claim <kbd>c</kbd>
      </button>
      <button
        type="button"
        className="primary"
        onClick={() => void actions.resolve()}
        disabled={ticket.status === 'resolved' || ticket.status === 'closed'}
      >
        Resolve <kbd>e</kbd>
      </button>
      <label>
        Assign
        <select
          value={ticket.assigneeId ?? ''}
          onChange={(e) => void patch('Assigned', { assigneeId: e.target.value || null })}
        >
          <option value="">nobody</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.status})
            </option>
          ))}
        </select>
      </label>
      <label>
        Transfer to team
        <select
          value={ticket.teamId ?? ''}
          onChange={(e) => void patch('Transferred', { teamId: e.target.value || null })}
        >
          <option value="">no team</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Priority
        <select value={ticket.priority} onChange={(e) => void patch('Priority changed', { priority: e.target.value })}>
          {['urgent', 'high', 'normal', 'low'].map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <RelabelForm
        current={ticket.intent ?? null}
        alternatives={packet?.intent.alternatives ?? []}
        onRelabel={(intent) => void patch('Intent relabelled (the model learns from it)', { intent })}
      />
      <SnoozeForm onSnooze={(until) => void actions.snooze('Snoozed', until)} />
      <MergeForm onMerge={(into) => void actions.merge(into)} />
    </div>
  );
}

function RelabelForm({
  current,
  alternatives,
  onRelabel,
}: {
  current: string | null;
  alternatives: { intent: string }[];
  onRelabel: (intent: string) => void;
}) {
  const [intent, setIntent] = useState(current ?? '');
  useEffect(() => setIntent((i) => i || current || ''), [current]);
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (intent.trim()) onRelabel(intent.trim());
      }}
    >
      <label>
        Intent <input value={intent} onChange={(e) => setIntent(e.target.value)} list="intents" size={16} />
      </label>
      <datalist id="intents">
        {alternatives.map((a) => (
          <option key={a.intent} value={a.intent} />
        ))}
      </datalist>
      <button type="submit">Relabel</button>
    </form>
  );
}

function SnoozeForm({ onSnooze }: { onSnooze: (until: string) => void }) {
  const [snooze, setSnooze] = useState('');
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (snooze) onSnooze(new Date(snooze).toISOString());
      }}
    >
      <label>
        Snooze until <input type="datetime-local" value={snooze} onChange={(e) => setSnooze(e.target.value)} />
      </label>
      <button type="submit">
        Snooze <kbd>s</kbd>
      </button>
    </form>
  );
}

function MergeForm({ onMerge }: { onMerge: (into: string) => void }) {
  const [into, setInto] = useState('');
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (into.trim()) onMerge(into.trim());
      }}
    >
      <label>
        Merge into ticket{' '}
        <input value={into} onChange={(e) => setInto(e.target.value)} placeholder="ticket id" size={12} />
      </label>
      <button type="submit">Merge</button>
    </form>
  );
}
