import { useCallback, useEffect, useState } from 'react';
import { api } from './lib/api.js';
import { Admin } from './features/admin/Admin.js';
import { Dashboards } from './features/dashboards/Dashboards.js';
import { Inbox } from './features/inbox/Inbox.js';
import { Login } from './features/login/Login.js';
import { useLiveStream } from './lib/live.js';
import { navigate, useLocation } from './lib/router.js';
import { Shortcuts, useGlobalShortcuts } from './lib/shortcuts.js';
import type { Me } from './lib/types.js';

/** The console's shell: sign-in, the top bar, live updates, and the screen of the current path. */
export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const { path, search } = useLocation();
  const live = useLiveStream(!!me);
  const [help, setHelp] = useState(false);

  useEffect(() => {
    api<Me>('GET', '/auth/me').then(setMe, () => setMe(null));
    const out = () => setMe(null);
    window.addEventListener('deskmind:unauthorized', out);
    return () => window.removeEventListener('deskmind:unauthorized', out);
  }, []);
  useGlobalShortcuts(useCallback(() => setHelp((h) => !h), []));
  const atRoot = path === '/' || path === '/login';
  useEffect(() => {
    if (me && atRoot) navigate('/inbox/all');
  }, [me, atRoot]);

  if (me === undefined) return <p className="loading">Loading…</p>;
  if (me === null) return <Login onLogin={setMe} />;
  if (atRoot) return null;
  const section = path.split('/')[1];
  const logout = async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    setMe(null);
  };
  const link = (to: string, label: string, active: boolean) => (
    <a
      href={to}
      aria-current={active ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Deskmind</span>
        <nav aria-label="Main">
          {link('/inbox/all', 'Inbox', section === 'inbox')}
          {link('/dashboards', 'Dashboards', section === 'dashboards')}
          {me.role === 'admin' && link('/admin/playbooks', 'Admin', section === 'admin')}
        </nav>
        <span className={`live ${live ? 'on' : ''}`} title={live ? 'Live updates on' : 'Reconnecting…'}>
          {live ? '● Live' : '○ Offline'}
        </span>
        <button type="button" className="link" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">
          ?
        </button>
        <span className="who">{me.agent?.name ?? me.role}</span>
        <button type="button" className="link" onClick={logout}>
          Sign out
        </button>
      </header>
      {section === 'inbox' && <Inbox me={me} path={path} search={search} />}
      {section === 'dashboards' && <Dashboards />}
      {section === 'admin' && <Admin tab={path.split('/')[2] ?? 'playbooks'} />}
      {help && <Shortcuts onClose={() => setHelp(false)} />}
    </div>
  );
}
