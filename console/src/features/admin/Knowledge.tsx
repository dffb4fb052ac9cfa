import { useState } from 'react';
import { api, errorText } from '../../lib/api.js';
import { rowKey } from '../../lib/keys.js';
import { useResource } from '../../lib/useResource.js';
import { Status } from '../../lib/ui.js';
import type { Article } from '../../lib/types.js';

/** A walkthrough step as edited, with a React key that is never sent. */
type Step = NonNullable<Article['walkthrough']>[number] & { key: string };
const emptyArticle = {
  id: '',
  title: '',
  body: '',
  intents: '',
  tags: '',
  status: 'published',
  walkthrough: [] as Step[],
};

export function Knowledge() {
  const { data, error, reload, setError } = useResource<{ data: Article[] }>('/articles?limit=200');
  const [form, setForm] = useState(emptyArticle);
  const [notice, setNotice] = useState('');
  const edit = (a: Article) =>
    setForm({
      id: a.id,
      title: a.title,
      body: a.body,
      intents: a.intents.join(', '),
      tags: a.tags.join(', '),
      status: a.status,
      walkthrough: (a.walkthrough ?? []).map((s) => ({ ...s, key: rowKey() })),
    });
  const list = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const setStep = (i: number, patch: Partial<Step>) =>
    setForm({ ...form, walkthrough: form.walkthrough.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const move = (i: number, d: number) => {
    const w = [...form.walkthrough];
    const [s] = w.splice(i, 1);
    w.splice(Math.min(Math.max(0, i + d), w.length), 0, s!);
    setForm({ ...form, walkthrough: w });
  };
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const body = {
      title: form.title,
      body: form.body,
      intents: list(form.intents),
      tags: list(form.tags),
      status: form.status,
      walkthrough: form.walkthrough.length
        ? form.walkthrough.map((s) => ({ title: s.title, selector: s.selector, ...(s.body ? { body: s.body } : {}) }))
        : null,
    };
    try {
      const saved = form.id
        ? await api<Article>('PATCH', `/articles/${form.id}`, body)
        : await api<Article>('POST', '/articles', body);
      setNotice(`Saved "${saved.title}" (version ${saved.version})`);
      edit(saved);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section aria-labelledby="kb-title2" className="kb">
      <h1 id="kb-title2">Knowledge base</h1>
      <Status error={error} notice={notice} />
      <div className="split">
        <ul className="list">
          <li>
            <button type="button" onClick={() => setForm(emptyArticle)}>
              + New article
            </button>
          </li>
          {data?.data.map((a) => (
            <li key={a.id}>
              <button type="button" className={a.id === form.id ? 'selected' : ''} onClick={() => edit(a)}>
                {a.title}{' '}
                <span className="muted">
                  v{a.version}
                  {a.walkthrough?.length ? ' · walkthrough' : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <form className="stack" onSubmit={save} aria-label="Article">
          <label>
            Title <input value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} required />
          </label>
          <label>
            Body (markdown){' '}
            <textarea
              rows={10}
              value={form.body}
              onChange={(e) => setForm({ ...form, body: e.target.value })}
              required
            />
          </label>
          <label>
            Intents (comma separated){' '}
            <input value={form.intents} onChange={(e) => setForm({ ...form, intents: e.target.value })} />
          </label>
          <label>
            Tags <input value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} />
          </label>
          <label>
            Status{' '}
            <select value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
              <option>published</option>
              <option>draft</option>
            </select>
          </label>
          <fieldset>
            <legend>Walkthrough steps (the widget highlights each element on the customer's page)</legend>
            {form.walkthrough.map((s, i) => (
              <div className="step" key={s.key}>
                <span>{i + 1}.</span>
                <label>
                  Title <input value={s.title} onChange={(e) => setStep(i, { title: e.target.value })} required />
                </label>
                <label>
                  CSS selector{' '}
                  <input
                    value={s.selector}
                    onChange={(e) => setStep(i, { selector: e.target.value })}
                    required
                    placeholder="#export-button"
                  />
                </label>
                <label>
                  Text <input value={s.body ?? ''} onChange={(e) => setStep(i, { body: e.target.value })} />
                </label>
                <button type="button" aria-label={`Move step ${i + 1} up`} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" aria-label={`Move step ${i + 1} down`} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button
                  type="button"
                  aria-label={`Remove step ${i + 1}`}
                  onClick={() => setForm({ ...form, walkthrough: form.walkthrough.filter((_, j) => j !== i) })}
                >
                  ✕
                </button>
              </div>
            ))}
            <button
              type="button"
              onClick={() =>
                setForm({ ...form, walkthrough: [...form.walkthrough, { title: '', selector: '', key: rowKey() }] })
              }
            >
              + Add step
            </button>
          </fieldset>
          <button className="primary" type="submit">
            Save article
          </button>
        </form>
      </div>
    </section>
  );
}
