import { useEffect, useRef } from 'react';
import { typing } from '../../lib/shortcuts.js';
import type { Row } from './views.js';

/**
 * j / k move the cursor through `list` (opening the ticket when one is open already), Enter opens the ticket
 * under the cursor.
 */
export function useQueueKeys(
  list: Row[],
  cursor: number,
  setCursor: (i: number) => void,
  ticketOpen: boolean,
  open: (id: string) => void,
) {
  const latest = useRef({ list, cursor, setCursor, ticketOpen, open });
  latest.current = { list, cursor, setCursor, ticketOpen, open };
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const { list, cursor, setCursor, ticketOpen, open } = latest.current;
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey || !list.length) return;
      if (e.key === 'j' || e.key === 'k') {
        const i = Math.min(Math.max(0, cursor + (e.key === 'j' ? 1 : -1)), list.length - 1);
        setCursor(i);
        if (ticketOpen) open(list[i]!.id);
        document.getElementById(`row-${list[i]!.id}`)?.focus();
      } else if (e.key === 'Enter' && !ticketOpen) open(list[cursor]!.id);
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);
}
