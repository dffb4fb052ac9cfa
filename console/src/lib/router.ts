import { useEffect, useState } from 'react';

/** A tiny history router: the path (and its query string, which filters a screen) is the state. */
export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The current location, path and query string (`?…`, or empty), updated as the history moves. */
export function useLocation(): { path: string; search: string } {
  const [at, setAt] = useState(() => ({ path: location.pathname, search: location.search }));
  useEffect(() => {
    const on = () => setAt({ path: location.pathname, search: location.search });
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return at;
}
