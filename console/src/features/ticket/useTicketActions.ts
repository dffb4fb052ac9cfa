import { useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import type { TicketDetail } from '../../lib/types.js';
import type { useTicket } from './useTicket.js';

/**
 * The agent's actions on a ticket. Each shows its optimistic change at once, then the server's answer, then
 * the full ticket again; on failure the ticket goes back and the error shows. `agentId` is the signed-in agent's
 * (a claim shows them as the assignee at once).
 */
export function useTicketActions(
  id: string,
  state: ReturnType<typeof useTicket>,
  onChanged: () => void,
  agentId: string | null,
) {
  const { ticket, setTicket, load, setError } = state;
  // A notice holds for the status it was given at: a reopen after "Resolved" hides it.
  const [notice, setNotice] = useState<{ text: string; status: string | null }>({ text: '', status: null });

  const act = async (what: string, fn: () => Promise<unknown>, optimistic?: Partial<TicketDetail>) => {
    setError('');
    const before = ticket;
    if (optimistic) setTicket((t) => (t ? { ...t, ...optimistic } : t));
    try {
      const answer = await fn();
      if (answer && typeof answer === 'object' && 'status' in answer && 'id' in answer) {
        setTicket((t) => (t ? { ...t, ...(answer as Partial<TicketDetail>) } : t));
      }
      onChanged();
      const fresh = await load();
      setNotice({ text: what, status: fresh?.status ?? null });
    } catch (err) {
      if (optimistic) setTicket(before);
      setError(errorText(err));
    }
  };
  const patch = (what: string, body: Record<string, unknown>) => {
    const { snoozedUntil: _s, ...visible } = body;
    return act(
      what,
      () => api<Partial<TicketDetail>>('PATCH', `/tickets/${id}`, body),
      visible as Partial<TicketDetail>,
    );
  };
  const shown = notice.text && (notice.status === null || notice.status === ticket?.status) ? notice.text : '';
  return {
    act,
    patch,
    notice: shown,
    claim: () =>
      act('Claimed', () => api('POST', `/tickets/${id}/claim`, {}), agentId ? { assigneeId: agentId } : undefined),
    /** Merging closes this ticket (tagged `merged`) into `into`. */
    merge: (into: string) =>
      act('Merged', () => api('POST', `/tickets/${id}/merge`, { into }), {
        status: 'closed',
        tags: [...new Set([...(ticket?.tags ?? []), 'merged'])],
      }),
    resolve: () => patch('Resolved', { status: 'resolved' }),
    snooze: (what: string, until: string) => patch(what, { status: 'snoozed', snoozedUntil: until }),
  };
}
