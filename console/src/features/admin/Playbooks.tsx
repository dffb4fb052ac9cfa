import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useResource } from '../../lib/useResource.js';
import { Status } from '../../lib/ui.js';
import type { Playbook, PlaybookInput, TaxonomyIntent } from '../../lib/types.js';
import { PlaybookForm } from './PlaybookForm.js';

export function Playbooks() {
  const { data, error, reload } = useResource<{ data: Playbook[] }>('/playbooks');
  const taxonomy = useResource<{ data: TaxonomyIntent[] }>('/taxonomy');
  const [editing, setEditing] = useState<{ intent: string; playbook: Playbook | null }>({ intent: '', playbook: null });
  const [notice, setNotice] = useState('');
  /** Saves from the form; its errors go back to the form, which shows them beside the fields. */
  const save = async (intent: string, input: PlaybookInput) => {
    setNotice('');
    const saved = await api<Playbook>('PUT', `/playbooks/${encodeURIComponent(intent)}`, input);
    setNotice(`Saved the playbook of ${intent}`);
    setEditing({ intent, playbook: saved });
    await reload();
  };
  return (
    <section aria-labelledby="pb-title">
      <h1 id="pb-title">Taxonomy & playbooks</h1>
      <p className="muted">
        What the assistant does for each intent of the taxonomy: answer from the knowledge base, run an action, or
        always hand off.
      </p>
      <Status error={error} notice={notice} />
      <table>
        <thead>
          <tr>
            <th>Intent</th>
            <th>Description</th>
            <th>Usual team</th>
            <th>Kind</th>
            <th>Mode</th>
            <th>Threshold</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {[
            ...new Set([...(taxonomy.data?.data.map((t) => t.id) ?? []), ...(data?.data.map((p) => p.intent) ?? [])]),
          ].map((intent) => {
            const p = data?.data.find((x) => x.intent === intent);
            const t = taxonomy.data?.data.find((x) => x.id === intent);
            return (
              <tr key={intent}>
                <td>
                  <strong>{t?.label ?? intent}</strong>
                  <br />
                  <code className="small">{intent}</code>
                </td>
                <td className="small">{t?.description ?? 'custom intent'}</td>
                <td>{t?.team ?? '—'}</td>
                <td>{p?.kind ?? <span className="muted">no playbook</span>}</td>
                <td>{p?.mode ?? ''}</td>
                <td>{p ? (p.threshold ?? 'default') : ''}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Edit the playbook of ${intent}`}
                    onClick={() => {
                      setNotice('');
                      setEditing({ intent, playbook: p ?? null });
                    }}
                  >
                    {p ? 'Edit' : 'Add'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <PlaybookForm
        key={`${editing.intent}:${editing.playbook?.updatedAt ?? ''}`}
        intent={editing.intent}
        playbook={editing.playbook}
        intents={taxonomy.data?.data ?? []}
        onSave={save}
      />
    </section>
  );
}
