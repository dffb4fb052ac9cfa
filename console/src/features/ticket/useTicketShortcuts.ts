import { useEffect, useRef, type RefObject } from 'react';
import { typing } from '../../lib/shortcuts.js';

/**
 * The ticket's keys (`keys`: key → action) while no field has the focus; in the reply field Ctrl+Enter sends,
 * and Escape leaves any field.
 */
export function useTicketShortcuts(
  reply: RefObject<HTMLTextAreaElement | null>,
  send: () => void,
  keys: Record<string, () => void>,
) {
  const latest = useRef({ send, keys });
  latest.current = { send, keys };
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (typing(e)) {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target === reply.current) {
          e.preventDefault();
          latest.current.send();
        }
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      const fn = latest.current.keys[e.key];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [reply]);
}
