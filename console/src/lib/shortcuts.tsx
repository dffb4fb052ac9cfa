import { useEffect, useRef } from 'react';
import { navigate } from './router.js';

/** True when the key went to a field, where letters are text, not commands. */
export const typing = (e: KeyboardEvent) => {
  const el = e.target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
};

/** Global keys: ? help, g i / g d / g a to go to inbox, dashboards, admin. */
export function useGlobalShortcuts(toggleHelp: () => void): void {
  const g = useRef(0);
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === '?') toggleHelp();
      else if (e.key === 'g') g.current = Date.now();
      else if (Date.now() - g.current < 1000) {
        const to = { i: '/inbox/all', d: '/dashboards', a: '/admin/playbooks' }[e.key];
        if (to) navigate(to);
        g.current = 0;
      }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [toggleHelp]);
}

export const SHORTCUTS: [string, string][] = [
  ['j / k', 'next / previous ticket'],
  ['Enter', 'open the selected ticket'],
  ['r', 'reply'],
  ['n', 'internal note'],
  ['Ctrl+Enter', 'send the reply'],
  ['c', 'claim (assign to me)'],
  ['e', 'resolve'],
  ['s', 'snooze until tomorrow 9:00'],
  ['u', 'use the suggested reply'],
  ['Escape', 'close the ticket'],
  ['g i / g d / g a', 'go to inbox / dashboards / admin'],
  ['?', 'this help'],
];

export function Shortcuts({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div
      className="modal"
      role="dialog"
      aria-modal="true"
      aria-labelledby="kb-title"
      onKeyDown={(e) => {
        e.stopPropagation(); // keys belong to the dialog while it is open
        if (e.key === 'Escape') onClose();
      }}
    >
      <div className="modal-body">
        <h2 id="kb-title">Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">
                  <kbd>{k}</kbd>
                </th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" ref={ref} className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
