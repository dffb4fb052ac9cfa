import { useEffect, useRef, useState } from 'react';

export interface LiveEvent {
  workspaceId: string;
  ticketId: string | null;
  type: string;
  actorType: string;
  at: string;
}

/** Opens the workspace's event stream (`/api/v1/stream`) and re-broadcasts each event on window. */
export function useLiveStream(enabled: boolean): boolean {
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/v1/stream', { withCredentials: true });
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(source.readyState === EventSource.OPEN);
    source.onmessage = (m: MessageEvent<string>) => {
      try {
        window.dispatchEvent(new CustomEvent<LiveEvent>('deskmind:live', { detail: JSON.parse(m.data) as LiveEvent }));
      } catch {
        /* ignore malformed events */
      }
    };
    return () => source.close();
  }, [enabled]);
  return connected;
}

/** Calls `onEvent` for live events (debounced per burst, so a pipeline run causes one refresh). */
export function useLiveEvents(onEvent: (events: LiveEvent[]) => void, delayMs = 250): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    let pending: LiveEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const on = (e: Event) => {
      pending.push((e as CustomEvent<LiveEvent>).detail);
      clearTimeout(timer);
      timer = setTimeout(() => {
        const batch = pending;
        pending = [];
        handler.current(batch);
      }, delayMs);
    };
    window.addEventListener('deskmind:live', on);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('deskmind:live', on);
    };
  }, [delayMs]);
}
