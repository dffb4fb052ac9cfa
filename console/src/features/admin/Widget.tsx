import { useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { useResource } from '../../lib/useResource.js';
import { CopyButton, SecretField, Status } from '../../lib/ui.js';
import type { WidgetSettings } from '../../lib/types.js';

/** The snippet to paste: anonymous visitors, correct as pasted. */
export const widgetSnippet = (origin: string, publicId: string) =>
  `<script src="${origin}/widget.js" data-workspace="${publicId}" async></script>`;

/** The same snippet for signed-in users, with the attributes your server fills in. */
export const verifiedSnippet = (origin: string, publicId: string) =>
  `<script src="${origin}/widget.js" data-workspace="${publicId}"\n        data-user-id="<%= user.id %>" ` +
  `data-user-hash="<%= userHash %>" data-user-name="<%= user.name %>" async></script>`;

const serverCode = `// On your server (Node.js): the hash proves the user id is yours to give.
import { createHmac } from 'node:crypto';
const userHash = createHmac('sha256', process.env.DESKMIND_WIDGET_SECRET).update(String(user.id)).digest('hex');`;

export function Widget() {
  const { data, error, reload, setError } = useResource<WidgetSettings>('/settings/widget');
  const [notice, setNotice] = useState('');
  const patch = async (body: Record<string, unknown>, what: string) => {
    try {
      await api('PATCH', '/settings/widget', body);
      setNotice(what);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const rotate = async () => {
    if (
      !window.confirm(
        'Rotate the identity secret? Every open widget session ends, and your servers must use the new secret.',
      )
    )
      return;
    try {
      await api('POST', '/settings/widget/rotate');
      setNotice('Secret rotated: update the secret on your servers');
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const snippet = data ? widgetSnippet(location.origin, data.publicId) : '';
  return (
    <section aria-labelledby="wg-title">
      <h1 id="wg-title">Chat widget</h1>
      <Status error={error} notice={notice} />
      {data && (
        <>
          <h2>Embed</h2>
          <p>
            Paste this before <code>&lt;/body&gt;</code> on the pages where customers need help. It works as it is:
            visitors chat anonymously, and each browser keeps its own conversation.
          </p>
          <figure className="snippet-figure" aria-label="Widget snippet">
            <pre className="mono snippet">{snippet}</pre>
          </figure>
          <p>
            <CopyButton text={snippet} label="Copy snippet" />
          </p>
          <p className="muted">
            Optional attributes: <code>data-app-version="4.12.0"</code> (shown to agents with the ticket). Mark parts of
            your app with <code>data-deskmind-feature="billing"</code> so tickets say where the customer was.
          </p>

          <h2>Identity verification (optional)</h2>
          <p>
            To have signed-in users appear as themselves (their customer record, account and past tickets), add their id
            and a hash your server computes with the secret below. Without a valid hash, an id is never trusted and the
            visitor stays anonymous.
          </p>
          <figure className="snippet-figure" aria-label="Snippet for signed-in users">
            <pre className="mono snippet">{verifiedSnippet(location.origin, data.publicId)}</pre>
          </figure>
          <figure className="snippet-figure" aria-label="Server code">
            <pre className="mono snippet">{serverCode}</pre>
          </figure>
          <p>
            Identity secret: <SecretField value={data.secret} label="Identity secret" />{' '}
            <button type="button" onClick={() => void rotate()}>
              Rotate secret
            </button>
          </p>
          <label className="check big">
            <input
              type="checkbox"
              checked={!!data.identityRequired}
              onChange={(e) => void patch({ identityRequired: e.target.checked }, 'Saved')}
            />{' '}
            Require verified identities (anonymous visitors cannot chat)
          </label>

          <h2>Texts</h2>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              void patch({ title: String(f.get('title')), greeting: String(f.get('greeting')) }, 'Saved');
            }}
          >
            <label>
              Title <input name="title" defaultValue={data.title} />
            </label>
            <label>
              Greeting <textarea name="greeting" rows={2} defaultValue={data.greeting} />
            </label>
            <button className="primary" type="submit">
              Save
            </button>
          </form>
          <p className="muted">
            Public widget id: <code>{data.publicId}</code>
          </p>
        </>
      )}
    </section>
  );
}
