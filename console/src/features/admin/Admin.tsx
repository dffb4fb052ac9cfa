import { navigate } from '../../lib/router.js';
import { AutonomyScreen } from './Autonomy.js';
import { Keys } from './Keys.js';
import { Knowledge } from './Knowledge.js';
import { Playbooks } from './Playbooks.js';
import { Routing } from './Routing.js';
import { Sla } from './Sla.js';
import { Widget } from './Widget.js';

const TABS: [string, string][] = [
  ['playbooks', 'Taxonomy & playbooks'],
  ['autonomy', 'Autonomy & shadow mode'],
  ['kb', 'Knowledge base'],
  ['routing', 'Routing rules'],
  ['sla', 'SLA policies'],
  ['keys', 'API keys'],
  ['widget', 'Widget'],
];

export function Admin({ tab }: { tab: string }) {
  return (
    <div className="admin">
      <nav className="views" aria-label="Admin sections">
        <ul>
          {TABS.map(([id, label]) => (
            <li key={id}>
              <a
                href={`/admin/${id}`}
                aria-current={id === tab ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/admin/${id}`);
                }}
              >
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="admin-main">
        {tab === 'playbooks' && <Playbooks />}
        {tab === 'autonomy' && <AutonomyScreen />}
        {tab === 'kb' && <Knowledge />}
        {tab === 'routing' && <Routing />}
        {tab === 'sla' && <Sla />}
        {tab === 'keys' && <Keys />}
        {tab === 'widget' && <Widget />}
      </main>
    </div>
  );
}
