import { useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useResource, Status } from '../../lib/resource.js';
import type { Playbook } from '../../lib/types.js';

interface TaxonomyIntent { id: string; label: string; description: string; team: string; automatable: boolean }

export function Playbooks() {
  const { data, error, reload, setError } = useResource<{ data: Playbook[] }>('/playbooks');
  const taxonomy = useResource<{ data: TaxonomyIntent[] }>('/taxonomy');
  const [form, setForm] = useState({ intent: '', kind: 'answer', mode: 'shadow', template: '', threshold: '' });
  const [notice, setNotice] = useState('');
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      await api('PUT', `/playbooks/${encodeURIComponent(form.intent)}`, { kind: form.kind, mode: form.mode, template: form.template || null, threshold: form.threshold ? Number(form.threshold) : null });
      setNotice(`Saved the playbook of ${form.intent}`);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section aria-labelledby="pb-title">
      <h1 id="pb-title">Taxonomy & playbooks</h1>
      <p className="muted">What the assistant does for each intent of the taxonomy: answer from the knowledge base, run an action, or always hand off.</p>
      <Status error={error} notice={notice} />
      <table>
        <thead><tr><th>Intent</th><th>Description</th><th>Usual team</th><th>Kind</th><th>Mode</th><th>Threshold</th><th /></tr></thead>
        <tbody>
          {[...new Set([...(taxonomy.data?.data.map((t) => t.id) ?? []), ...(data?.data.map((p) => p.intent) ?? [])])].map((intent) => {
            const p = data?.data.find((x) => x.intent === intent);
            const t = taxonomy.data?.data.find((x) => x.id === intent);
            return (
              <tr key={intent}>
                <td><strong>{t?.label ?? intent}</strong><br /><code className="small">{intent}</code></td>
                <td className="small">{t?.description ?? 'custom intent'}</td><td>{t?.team ?? '—'}</td>
                <td>{p?.kind ?? <span className="muted">no playbook</span>}</td><td>{p?.mode ?? ''}</td><td>{p ? (p.threshold ?? 'default') : ''}</td>
                <td><button aria-label={`Edit the playbook of ${intent}`} onClick={() => setForm(p ? { intent, kind: p.kind, mode: p.mode, template: p.template ?? '', threshold: p.threshold == null ? '' : String(p.threshold) } : { intent, kind: 'answer', mode: 'shadow', template: '', threshold: '' })}>{p ? 'Edit' : 'Add'}</button></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form className="stack" onSubmit={save} aria-label="Playbook">
        <h2>{form.intent ? `Playbook: ${form.intent}` : 'New playbook'}</h2>
        <label>Intent <input value={form.intent} onChange={(e) => setForm({ ...form, intent: e.target.value })} required pattern="[a-z0-9_.\-]+" /></label>
        <label>Kind <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}><option>answer</option><option>handoff</option><option>action</option></select></label>
        <label>Mode <select value={form.mode} onChange={(e) => setForm({ ...form, mode: e.target.value })}><option>auto</option><option>shadow</option><option>off</option></select></label>
        <label>Threshold (empty: default) <input type="number" min={0} max={1} step={0.01} value={form.threshold} onChange={(e) => setForm({ ...form, threshold: e.target.value })} /></label>
        <label>Template <textarea rows={3} value={form.template} onChange={(e) => setForm({ ...form, template: e.target.value })} placeholder="Hi {{customer.firstName}}, {{answer}}" /></label>
        <button className="primary" type="submit" disabled={!form.intent}>Save playbook</button>
      </form>
    </section>
  );
}
