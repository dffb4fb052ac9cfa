import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useLiveEvents } from '../../lib/live.js';
import type { HandoffPacket, TicketDetail } from '../../lib/types.js';

/** Loads a ticket and its handoff packet, and loads them again whenever a live event concerns the ticket. */
export function useTicket(id: string) {
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [packet, setPacket] = useState<HandoffPacket | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async (): Promise<TicketDetail | null> => {
    try {
      const t = await api<TicketDetail>('GET', `/tickets/${id}`);
      setTicket(t);
      setPacket(await api<HandoffPacket>('GET', `/tickets/${id}/handoff`).catch(() => null));
      return t;
    } catch (err) {
      setError(errorText(err));
      return null;
    }
  }, [id]);
  useEffect(() => void load(), [load]);
  useLiveEvents((events) => {
    if (events.some((e) => e.ticketId === id)) void load();
  });
  return { ticket, setTicket, packet, load, error, setError };
}
