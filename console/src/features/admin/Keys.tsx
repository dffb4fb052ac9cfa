import { useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useResource } from '../../lib/useResource.js';
import { CopyButton, Status } from '../../lib/ui.js';
import type { ApiKey } from '../../lib/types.js';

export function Keys() {
  const { data, error, reload, setError } = useResource<{ data: ApiKey[] }>('/api-keys');
  const [name, setName] = useState('');
  const [role, setRole] = useState('agent');
  const [secret, setSecret] = useState('');
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <Status error={error} />
      {secret && (
        <p role="status" className="notice">
          New key (shown once):{' '}
          <code role="note" aria-label="New API key">
            {secret}
          </code>{' '}
          <CopyButton text={secret} />
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>Prefix</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.data.map((k) => (
            <tr key={k.id} className={k.revokedAt ? 'muted' : ''}>
              <td>{k.name}</td>
              <td>{k.role}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{new Date(k.createdAt).toLocaleDateString()}</td>
              <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : '—'}</td>
              <td>
                {k.revokedAt ? (
                  'revoked'
                ) : (
                  <button
                    type="button"
                    onClick={() =>
                      void api('DELETE', `/api-keys/${k.id}`).then(reload, (err) => setError(errorText(err)))
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            setSecret((await api<{ secret: string }>('POST', '/api-keys', { name, role })).secret);
            setName('');
            await reload();
          } catch (err) {
            setError(errorText(err));
          }
        }}
      >
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Role{' '}
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <option>agent</option>
            <option>ingest</option>
            <option>admin</option>
          </select>
        </label>
        <button className="primary" type="submit">
          Create key
        </button>
      </form>
    </section>
  );
}
