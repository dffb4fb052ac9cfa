import { useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useIntentLabels } from '../../lib/labels.js';
import { useResource } from '../../lib/useResource.js';
import { Status } from '../../lib/ui.js';
import type { RoutingRule, RoutingRuleInput, Team } from '../../lib/types.js';
import { describeConditions } from './rule-draft.js';
import { RoutingRuleForm } from './RoutingRuleForm.js';

export function Routing() {
  const rules = useResource<{ data: RoutingRule[] }>('/routing/rules');
  const teams = useResource<{ data: Team[] }>('/teams');
  const taxonomy = useResource<{ data: { id: string; label: string }[] }>('/taxonomy');
  const label = useIntentLabels();
  const [editing, setEditing] = useState<RoutingRule | null>(null);
  const [notice, setNotice] = useState('');
  const run = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setNotice(what);
      await rules.reload();
    } catch (err) {
      rules.setError(errorText(err));
    }
  };
  /** Saves from the form; its errors go back to the form, which shows them beside the fields. */
  const save = async (input: RoutingRuleInput) => {
    setNotice('');
    if (editing) await api('PATCH', `/routing/rules/${editing.id}`, input);
    else await api('POST', '/routing/rules', input);
    setNotice(editing ? 'Rule saved' : 'Rule added');
    setEditing(null);
    await rules.reload();
  };
  const teamName = (id: string | null) => teams.data?.data.find((t) => t.id === id)?.name ?? 'default team';
  return (
    <section aria-labelledby="rt-title">
      <h1 id="rt-title">Routing rules</h1>
      <p className="muted">The first enabled rule whose conditions match picks the team.</p>
      <Status error={rules.error} notice={notice} />
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>Name</th>
            <th>When</th>
            <th>Then</th>
            <th>Enabled</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.data?.data.map((r) => (
            <tr key={r.id}>
              <td>{r.position}</td>
              <td>{r.name}</td>
              <td>{describeConditions(r.conditions, label)}</td>
              <td>
                team {teamName(r.teamId)}
                {r.requiredSkills.length > 0 && <>, needs {r.requiredSkills.join(', ')}</>}
                {r.preferAccountOwner && <>, account owner first</>}
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Enable ${r.name}`}
                  checked={r.enabled}
                  onChange={(e) =>
                    void run('Saved', () => api('PATCH', `/routing/rules/${r.id}`, { enabled: e.target.checked }))
                  }
                />
              </td>
              <td>
                <button type="button" aria-label={`Edit ${r.name}`} onClick={() => setEditing(r)}>
                  Edit
                </button>{' '}
                <button
                  type="button"
                  onClick={() => void run('Deleted', () => api('DELETE', `/routing/rules/${r.id}`))}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <RoutingRuleForm
        key={editing?.id ?? 'new'}
        rule={editing}
        teams={teams.data?.data ?? []}
        intents={taxonomy.data?.data ?? []}
        onSave={save}
        onCancel={() => setEditing(null)}
      />
    </section>
  );
}
