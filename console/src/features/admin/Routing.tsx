import { useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useResource, Status } from '../../lib/resource.js';
import type { RoutingRule, Team } from '../../lib/types.js';

export function Routing() {
  const rules = useResource<{ data: RoutingRule[] }>('/routing/rules');
  const teams = useResource<{ data: Team[] }>('/teams');
  const [form, setForm] = useState({ name: '', conditions: '{ "intent": ["billing_refund"] }', teamId: '' });
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
  const teamName = (id: string | null) => teams.data?.data.find((t) => t.id === id)?.name ?? 'default team';
  return (
    <section aria-labelledby="rt-title">
      <h1 id="rt-title">Routing rules</h1>
      <p className="muted">The first enabled rule whose conditions match picks the team.</p>
      <Status error={rules.error} notice={notice} />
      <table>
        <thead><tr><th>#</th><th>Name</th><th>Conditions</th><th>Team</th><th>Enabled</th><th /></tr></thead>
        <tbody>
          {rules.data?.data.map((r) => (
            <tr key={r.id}>
              <td>{r.position}</td><td>{r.name}</td><td><code>{JSON.stringify(r.conditions)}</code></td><td>{teamName(r.teamId)}</td>
              <td><input type="checkbox" aria-label={`Enable ${r.name}`} checked={r.enabled} onChange={(e) => void run('Saved', () => api('PATCH', `/routing/rules/${r.id}`, { enabled: e.target.checked }))} /></td>
              <td><button onClick={() => void run('Deleted', () => api('DELETE', `/routing/rules/${r.id}`))}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="stack" aria-label="New rule" onSubmit={(e) => {
        e.preventDefault();
        void run('Rule added', async () => api('POST', '/routing/rules', { name: form.name, conditions: JSON.parse(form.conditions) as unknown, teamId: form.teamId || null }));
      }}>
        <h2>New rule</h2>
        <label>Name <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required /></label>
        <label>Conditions (JSON: intent, tier, language, priority, tag, channel, featureId, pagePrefix, accountAttribute) <textarea rows={3} value={form.conditions} onChange={(e) => setForm({ ...form, conditions: e.target.value })} /></label>
        <label>Team <select value={form.teamId} onChange={(e) => setForm({ ...form, teamId: e.target.value })}><option value="">default team</option>{teams.data?.data.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></label>
        <button className="primary" type="submit">Add rule</button>
      </form>
    </section>
  );
}
